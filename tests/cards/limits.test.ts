import { describe, expect, it } from 'vitest';
import { cardBytes, countElements, LIMITS, tailOutput, truncateText, utf8Bytes } from '../../cards/limits.js';

describe('truncateText', () => {
  it('keeps short text and marks a cut with an ellipsis, by code point', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('😀😀😀', 2)).toBe('😀…');
    expect(truncateText('abc', 1)).toBe('…');
  });
});

describe('tailOutput', () => {
  it('keeps the last lines', () => {
    const t = tailOutput('1\n2\n3\n4\n5\n', 2, 2048);
    expect(t).toEqual({ text: '4\n5', lines: 2, truncated: true });
    expect(tailOutput('a\r\nb', 10, 2048)).toEqual({ text: 'a\nb', lines: 2, truncated: false });
  });

  it('cuts to the byte budget from the front, never inside a character', () => {
    const t = tailOutput(`${'x'.repeat(100)}\n${'回'.repeat(1000)}`, 20, 2048);
    expect(utf8Bytes(t.text)).toBeLessThanOrEqual(2048);
    expect(t.truncated).toBe(true);
    expect(t.text).toMatch(/^回+$/);
    expect(t.text.endsWith('回')).toBe(true);
  });

  it('returns nothing when no lines are allowed', () => {
    expect(tailOutput('abc', 0, 100)).toEqual({ text: '', lines: 0, truncated: true });
    expect(tailOutput('', 5, 100)).toEqual({ text: '', lines: 0, truncated: false });
  });
});

describe('card measures', () => {
  it('measures the wire form (the card as an escaped JSON string)', () => {
    const card = { a: '"q"' };
    expect(cardBytes(card)).toBe(JSON.stringify(JSON.stringify(card)).length);
    expect(cardBytes(card)).toBeGreaterThan(JSON.stringify(card).length);
    expect(LIMITS.cardBytes).toBe(30 * 1024);
  });

  it('counts every tagged object', () => {
    expect(
      countElements({
        body: { elements: [{ tag: 'markdown' }, { tag: 'button', text: { tag: 'plain_text' } }] },
      }),
    ).toBe(3);
  });
});
