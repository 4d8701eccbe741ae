import { describe, expect, it } from 'vitest';
import { postFromTexts, postMessage } from '../../cards/post.js';

describe('bilingual posts', () => {
  it('carries both languages, one paragraph a line, user text neutralised', () => {
    expect(postMessage({ 'zh-CN': '用法：\n\n  <x>', 'en-US': 'Usage:\n\n  <x>' })).toEqual({
      msgType: 'post',
      content: {
        zh_cn: {
          title: '',
          content: [[{ tag: 'text', text: '用法：' }], [], [{ tag: 'text', text: '  <\u200bx>' }]],
        },
        en_us: {
          title: '',
          content: [[{ tag: 'text', text: 'Usage:' }], [], [{ tag: 'text', text: '  <\u200bx>' }]],
        },
      },
    });
  });

  it("keeps a thread line's mention as an at element, so it still notifies", () => {
    const post = postFromTexts(
      '✅ 完成，发起人 <at user_id="ou_oncall">值班</at>',
      '✅ Done, <at id=ou_oncall></at>',
    );
    expect(post.content.zh_cn.content).toEqual([
      [
        { tag: 'text', text: '✅ 完成，发起人 ' },
        { tag: 'at', user_id: 'ou_oncall' },
      ],
    ]);
    expect(post.content.en_us.content).toEqual([
      [
        { tag: 'text', text: '✅ Done, ' },
        { tag: 'at', user_id: 'ou_oncall' },
      ],
    ]);
  });

  it('mentions the people the code names with {@N}, never an id a person typed', () => {
    const post = postMessage(
      { 'zh-CN': '{@0} 要求立即终止。<at user_id="all"></at>', 'en-US': 'Stop now requested by {@0}. {@1}' },
      undefined,
      ['ou_lead_a', 'all'],
    );
    expect(post.content.zh_cn.content[0]?.[0]).toEqual({ tag: 'at', user_id: 'ou_lead_a' });
    expect(post.content.zh_cn.content[0]?.some((e) => e.tag === 'at' && e.user_id === 'all')).toBe(false);
    expect(post.content.en_us.content[0]).toEqual([
      { tag: 'text', text: 'Stop now requested by ' },
      { tag: 'at', user_id: 'ou_lead_a' },
      { tag: 'text', text: '. {@1}' },
    ]);
  });
});
