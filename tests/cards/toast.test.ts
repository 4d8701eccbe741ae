import { describe, expect, it } from 'vitest';
import { buildProgressCard, cardResponse, toast } from '../../cards/index.js';
import { running, SHANGHAI_EN } from './fixtures.js';

describe('callback answer', () => {
  const approved = { 'zh-CN': '已批准，开始回滚', 'en-US': 'Approved – rollback started' };

  it('toast has the LARK.md §3.1 shape', () => {
    expect(toast('success', approved, 'en-US')).toEqual({
      type: 'success',
      content: 'Approved – rollback started',
      i18n: { zh_cn: '已批准，开始回滚', en_us: 'Approved – rollback started' },
    });
    expect(toast('error', approved, 'zh-CN').content).toBe('已批准，开始回滚');
  });

  it('cardResponse wraps the card as raw data and omits what is absent', () => {
    const card = buildProgressCard(running(), SHANGHAI_EN);
    const t = toast('info', approved, 'en-US');
    expect(cardResponse(t, card)).toEqual({ toast: t, card: { type: 'raw', data: card } });
    expect(cardResponse(t)).toEqual({ toast: t });
    expect(cardResponse(undefined, card)).toEqual({ card: { type: 'raw', data: card } });
    expect(JSON.stringify(cardResponse())).toBe('{}');
  });
});
