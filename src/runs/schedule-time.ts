import { wallClockAt } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import { positiveDurationMs } from '../util/duration.js';

/**
 * `at=` of `/rollback <runbook> … at=…` → the start time (issue 14, item 1). Pure: the clock, TIMEZONE,
 * RECOMMENDED_WINDOW and the limit are passed in. Accepted forms:
 * - `02:30` (or `02:30:15`): the next time the clock in TIMEZONE shows it (today if still ahead, else tomorrow);
 * - `2026-11-29T02:30`: that wall-clock time in TIMEZONE (no space: the chat splits words on spaces);
 * - `window` / `窗口`: the next start of RECOMMENDED_WINDOW;
 * - `+90s`, `+10m`, `+2h`, `+1d`: that long from now.
 */

export type AtProblem = 'unparseable' | 'past' | 'too_far';
export type AtResult = { ok: true; startAt: Date } | { ok: false; problem: AtProblem; reason: I18nText };

export interface AtContext {
  now: number;
  timezone: string;
  /** e.g. `02:00-04:00` */
  window: string;
  /** How far ahead a run may be scheduled, in ms. */
  maxAheadMs: number;
}

const wallClock = (timezone: string, at: number): number[] => wallClockAt(at, timezone);

/** The instant the clock in `timezone` shows the given wall time (the first, at a DST overlap). */
export function zonedToInstant(
  timezone: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s = 0,
): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (at: number) => {
    const [yy = 0, mm = 1, dd = 1, hh = 0, mn = 0, ss = 0] = wallClock(timezone, at);
    return Date.UTC(yy, mm - 1, dd, hh, mn, ss) - Math.floor(at / 1000) * 1000;
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}

/** The next instant after `now` at which the clock in `timezone` shows h:m:s. */
function nextWallTime(ctx: AtContext, h: number, mi: number, s: number): number {
  const [y = 0, mo = 1, d = 1] = wallClock(ctx.timezone, ctx.now);
  for (let day = 0; day < 3; day++) {
    const at = zonedToInstant(ctx.timezone, y, mo, d + day, h, mi, s);
    if (at > ctx.now) return at;
  }
  return zonedToInstant(ctx.timezone, y, mo, d + 1, h, mi, s);
}

const HOW = {
  'zh-CN':
    '写法：at=02:30（时区内下一次的 02:30）、at=2026-11-29T02:30、at=window（下一个推荐窗口的开始）或 at=+10m',
  'en-US':
    'write at=02:30 (the next 02:30 in the time zone), at=2026-11-29T02:30, at=window (the next start of the recommended window) or at=+10m',
};

function fail(problem: AtProblem, zh: string, en: string): AtResult {
  return {
    ok: false,
    problem,
    reason: { 'zh-CN': `${zh}；${HOW['zh-CN']}`, 'en-US': `${en}; ${HOW['en-US']}` },
  };
}

/** Human text of a limit like 7 days / 36 hours. */
function spanText(ms: number): I18nText {
  const [day, hour] = [86_400_000, 3_600_000];
  if (ms % day === 0) return { 'zh-CN': `${ms / day} 天`, 'en-US': `${ms / day} days` };
  if (ms % hour === 0) return { 'zh-CN': `${ms / hour} 小时`, 'en-US': `${ms / hour} hours` };
  return { 'zh-CN': `${Math.round(ms / 60_000)} 分钟`, 'en-US': `${Math.round(ms / 60_000)} minutes` };
}

export function resolveAt(raw: string, ctx: AtContext): AtResult {
  const value = raw.trim();
  let at: number | undefined;
  const hm = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(value);
  const full = /^(\d{4})-(\d{2})-(\d{2})[T_]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(value);
  if (/^(window|窗口)$/i.test(value)) {
    const [h = 0, mi = 0] = (ctx.window.split('-')[0] ?? '').split(':').map(Number);
    at = nextWallTime(ctx, h, mi, 0);
  } else if (hm) {
    at = nextWallTime(ctx, Number(hm[1]), Number(hm[2]), Number(hm[3] ?? 0));
  } else if (full) {
    const [y, mo, d, h, mi, s] = full.slice(1).map((v) => Number(v ?? 0)) as number[];
    at = zonedToInstant(ctx.timezone, y ?? 0, mo ?? 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
    const [cy, cmo, cd] = wallClock(ctx.timezone, at);
    if (cy !== y || cmo !== mo || cd !== d) at = undefined; // 2026-02-30 is no date
  } else if (value.startsWith('+')) {
    const ms = positiveDurationMs(value.slice(1));
    if (ms !== undefined) at = ctx.now + ms;
  }
  if (at === undefined) {
    return fail('unparseable', `看不懂开始时间 "${value}"`, `cannot read the start time "${value}"`);
  }
  if (at <= ctx.now) {
    return fail('past', `开始时间 ${value} 已经过去`, `the start time ${value} is in the past`);
  }
  if (at - ctx.now > ctx.maxAheadMs) {
    const span = spanText(ctx.maxAheadMs);
    return fail(
      'too_far',
      `开始时间 ${value} 超过了最长预约期限（${span['zh-CN']}）`,
      `the start time ${value} is more than ${span['en-US']} ahead, the limit`,
    );
  }
  return { ok: true, startAt: new Date(at) };
}

/** A start time as people read it in TIMEZONE, e.g. `2026-11-29 02:30 (Asia/Shanghai)`. */
export function formatStart(at: Date, timezone: string): string {
  const [y, mo, d, h, mi] = wallClock(timezone, at.getTime()).map((n) => String(n).padStart(2, '0'));
  return `${y}-${mo}-${d} ${h}:${mi} (${timezone})`;
}
