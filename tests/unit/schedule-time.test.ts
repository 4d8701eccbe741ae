import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/commands/parse.js';
import { formatStart, resolveAt, zonedToInstant } from '../../src/runs/schedule-time.js';
import { positiveDurationMs as parseDuration, parseDurationList } from '../../src/util/duration.js';

// 2026-11-28 08:10:00 UTC = 16:10 in Asia/Shanghai (UTC+8, no DST).
const now = Date.UTC(2026, 10, 28, 8, 10, 0);
const ctx = { now, timezone: 'Asia/Shanghai', window: '02:00-04:00', maxAheadMs: 7 * 86_400_000 };

describe('resolveAt', () => {
  it('reads HH:MM as the next such time in TIMEZONE', () => {
    const later = resolveAt('18:30', ctx);
    expect(later).toEqual({ ok: true, startAt: new Date(Date.UTC(2026, 10, 28, 10, 30)) });
    const tomorrow = resolveAt('02:30', ctx);
    expect(tomorrow).toEqual({ ok: true, startAt: new Date(Date.UTC(2026, 10, 28, 18, 30)) });
    // The current minute has begun: it is tomorrow's.
    const same = resolveAt('16:10', ctx);
    expect(same.ok && same.startAt.toISOString()).toBe('2026-11-29T08:10:00.000Z');
  });

  it('reads window as the next start of RECOMMENDED_WINDOW', () => {
    const r = resolveAt('window', ctx);
    expect(r.ok && r.startAt.toISOString()).toBe('2026-11-28T18:00:00.000Z');
    const zh = resolveAt('窗口', { ...ctx, window: '23:30-01:00' });
    expect(zh.ok && zh.startAt.toISOString()).toBe('2026-11-28T15:30:00.000Z');
  });

  it('reads a full date and a relative time', () => {
    const full = resolveAt('2026-11-30T02:30', ctx);
    expect(full.ok && full.startAt.toISOString()).toBe('2026-11-29T18:30:00.000Z');
    const rel = resolveAt('+90s', ctx);
    expect(rel.ok && rel.startAt.getTime()).toBe(now + 90_000);
  });

  it('names what is wrong and how to write it', () => {
    const past = resolveAt('2026-11-27T02:30', ctx);
    expect(past.ok ? undefined : past.problem).toBe('past');
    const far = resolveAt('2026-12-10T02:30', ctx);
    expect(far.ok ? undefined : far.problem).toBe('too_far');
    if (!far.ok) {
      expect(far.reason['zh-CN']).toContain('7 天');
      expect(far.reason['en-US']).toContain('7 days');
    }
    for (const bad of ['tomorrow', '25:00', '2:3', '2026-02-30T02:00', '+5x', '+0m']) {
      const r = resolveAt(bad, ctx);
      expect(r.ok ? undefined : r.problem, bad).toBe('unparseable');
      if (!r.ok) {
        expect(r.reason['zh-CN']).toContain('at=window');
        expect(r.reason['en-US']).toContain('at=02:30');
      }
    }
    const shortLimit = resolveAt('+2h', { ...ctx, maxAheadMs: 3_600_000 });
    expect(shortLimit.ok ? undefined : shortLimit.problem).toBe('too_far');
  });

  it('handles a zone with daylight saving time', () => {
    // 2026-03-29 in Europe/Berlin: 02:00 → 03:00. 01:30 is UTC+1, 04:00 is UTC+2.
    expect(new Date(zonedToInstant('Europe/Berlin', 2026, 3, 29, 1, 30)).toISOString()).toBe(
      '2026-03-29T00:30:00.000Z',
    );
    expect(new Date(zonedToInstant('Europe/Berlin', 2026, 3, 29, 4, 0)).toISOString()).toBe(
      '2026-03-29T02:00:00.000Z',
    );
  });
});

describe('durations', () => {
  it('reads reminder lists and limits', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('7 days')).toBeUndefined();
    expect(parseDurationList('10m,24h')).toEqual([86_400_000, 600_000]);
    expect(parseDurationList('24h,soon')).toBeUndefined();
    expect(parseDurationList('')).toEqual([]);
  });

  it('formats a start in TIMEZONE', () => {
    expect(formatStart(new Date(Date.UTC(2026, 10, 28, 18, 30)), 'Asia/Shanghai')).toBe(
      '2026-11-29 02:30 (Asia/Shanghai)',
    );
  });
});

describe('at= in the command', () => {
  it('is the command’s, not the runbook’s', () => {
    expect(parseCommand('/rollback migrate staging revision=abc at=02:30')).toEqual({
      kind: 'request',
      runbook: 'migrate',
      target: 'staging',
      params: { revision: 'abc' },
      extras: [],
      at: '02:30',
    });
    expect(parseCommand('/rollback migrate at=window at=02:30')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('/rollback migrate at=')).toMatchObject({ kind: 'invalid' });
  });
});
