import { describe, expect, it } from 'vitest';
import { buildRunCard, CardTooLargeError, cardBytes, LIMITS, type RunState } from '../../cards/index.js';
import { countElements } from '../../cards/limits.js';
import { huge, PLAN_HASH, RUN_ID, SHANGHAI_EN, SHANGHAI_ZH } from './fixtures.js';
import { allTexts, callbackValues } from './walk.js';

const STATES: RunState[] = [
  'requested',
  'awaiting_approval',
  'queued',
  'running',
  'paused',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
];

describe('size limits', () => {
  for (const state of STATES) {
    for (const opts of [SHANGHAI_EN, SHANGHAI_ZH]) {
      it(`${state} with 40 steps and 10 KB tails fits in 30 KB (${opts.locale})`, () => {
        const card = buildRunCard(huge(40, 10 * 1024, state), opts);
        expect(card.schema).toBe('2.0');
        expect(card.config.update_multi).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
        expect(cardBytes(card)).toBeLessThanOrEqual(LIMITS.cardBytes);
        expect(countElements(card)).toBeLessThanOrEqual(LIMITS.cardElements);
        for (const value of callbackValues(card)) expect(value).toMatchObject({ run: RUN_ID });
      });
    }
  }

  it('trims display text, never the callback values', () => {
    const view = huge(40, 10 * 1024, 'awaiting_approval');
    const card = buildRunCard(
      { ...view, steps: view.steps.map((s) => ({ ...s, state: 'pending' })) },
      SHANGHAI_EN,
    );
    expect(callbackValues(card)).toEqual([
      { action: 'approve', run: RUN_ID, plan: PLAN_HASH },
      { action: 'reject', run: RUN_ID },
    ]);
  });

  it('shows a failed tail when room allows, then drops detail rather than failing', () => {
    const small = buildRunCard(huge(3, 10 * 1024), SHANGHAI_EN);
    expect(allTexts(small)).toContain('(last 20 lines)**');
    expect(allTexts(small)).toContain('```\nEEEE');
    // 120 steps with long titles cannot all be listed: the list is windowed, the card still built.
    const big = buildRunCard(huge(120, 10 * 1024), SHANGHAI_EN);
    expect(allTexts(big)).toMatch(/… \d+ more steps/);
    expect(cardBytes(big)).toBeLessThanOrEqual(LIMITS.cardBytes);
  });

  it('throws the typed error when an identifier alone is too large, instead of cutting it', () => {
    const view = { ...huge(3, 0, 'awaiting_approval'), runId: `run_${'x'.repeat(40 * 1024)}` };
    expect(() => buildRunCard(view, SHANGHAI_EN)).toThrow(CardTooLargeError);
    try {
      buildRunCard(view, SHANGHAI_EN);
    } catch (err) {
      expect(err).toBeInstanceOf(CardTooLargeError);
      expect((err as CardTooLargeError).code).toBe('CARD_TOO_LARGE');
      expect((err as CardTooLargeError).bytes).toBeGreaterThan(LIMITS.cardBytes);
    }
  });
});
