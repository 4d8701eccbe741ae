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
});
