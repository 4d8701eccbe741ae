import type { I18nText, Locale } from './model.js';

/**
 * Time formatting for cards and thread replies. Pure: every instant comes from the model as an ISO-8601
 * string; wall-clock times are rendered with Intl in the given IANA zone. An unparsable instant renders as
 * dashes rather than throwing (a card must never fail over a bad timestamp); an unknown time zone throws a
 * RangeError, since it is a configuration error that config validation should have caught
 * (see {@link isValidTimeZone}).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone (for config validation). */
export function isValidTimeZone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since the epoch, or undefined when the string is not a date. */
export function parseInstant(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/**
 * The wall clock in `timezone` at `ms` as numbers: [year, month (1-12), day, hour (0-23), minute, second]. The
 * one place the bot reads a zone's clock (cards, the window notice, schedule times): one cached formatter a zone.
 */
export function wallClockAt(ms: number, timezone: string): [number, number, number, number, number, number] {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timezone).formatToParts(ms)) parts[p.type] = p.value;
  const n = (v: string | undefined) => Number(v ?? 0);
  const hour = n(parts.hour) % 24; // some engines still print midnight as 24 despite h23
  return [n(parts.year), n(parts.month), n(parts.day), hour, n(parts.minute), n(parts.second)];
}

function wallClock(iso: string, timezone: string): WallClock | undefined {
  const f = formatterFor(timezone);
  const ms = parseInstant(iso);
  if (ms === undefined) return undefined;
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) parts[p.type] = p.value;
  const pad = (v: string | undefined) => (v ?? '00').padStart(2, '0');
  return {
    year: (parts.year ?? '0000').padStart(4, '0'),
    month: pad(parts.month),
    day: pad(parts.day),
    // Some engines still print midnight as 24 despite h23.
    hour: pad(parts.hour === '24' ? '00' : parts.hour),
    minute: pad(parts.minute),
    second: pad(parts.second),
  };
}

/** `HH:MM:SS`, 24 h, in `timezone`. `--:--:--` when `iso` is not a date. */
export function formatClock(iso: string, timezone: string): string {
  const c = wallClock(iso, timezone);
  return c ? `${c.hour}:${c.minute}:${c.second}` : '--:--:--';
}

/** `YYYY-MM-DD HH:MM:SS` in `timezone`. */
export function formatDateTime(iso: string, timezone: string): string {
  const c = wallClock(iso, timezone);
  return c ? `${c.year}-${c.month}-${c.day} ${c.hour}:${c.minute}:${c.second}` : '---------- --:--:--';
}

/** `T+mm:ss`; minutes run past 59 (`T+75:03`); negative clamps to zero; not a number → `T+--:--`. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return 'T+--:--';
  const total = Math.floor(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `T+${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** Milliseconds from `fromIso` to `toIso`, or undefined when either is missing or not a date. */
export function elapsedBetween(fromIso: string | undefined, toIso: string | undefined): number | undefined {
  const from = parseInstant(fromIso);
  const to = parseInstant(toIso);
  return from === undefined || to === undefined ? undefined : to - from;
}

const UNITS: Record<Locale, { h: string; m: string; s: string; sep: string }> = {
  'en-US': { h: 'h', m: 'm', s: 's', sep: ' ' },
  'zh-CN': { h: '小时', m: '分', s: '秒', sep: '' },
};

/**
 * A duration for people: under a minute with tenths (`2.1s`, `2.1秒`), then `2m 05s` / `2分05秒`,
 * then `1h 02m 05s` / `1小时02分05秒`. Negative clamps to zero; not a number → `—`.
 */
export function formatDuration(ms: number, locale: Locale = 'en-US'): string {
  if (!Number.isFinite(ms)) return '—';
  const u = UNITS[locale];
  const clamped = Math.max(0, ms);
  const tenths = Math.round(clamped / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}${u.s}`;
  const total = Math.round(clamped / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  if (h === 0) return `${m}${u.m}${u.sep}${s}${u.s}`;
  return `${h}${u.h}${u.sep}${String(m).padStart(2, '0')}${u.m}${u.sep}${s}${u.s}`;
}

/**
 * A time ahead, rounded as a person says it: `about 10 min`, `about 3 h`, `about 2 days` (`约 10 分钟`, `约 3 小时`,
 * `约 2 天`). Whole minutes under 90 min, whole hours under 48 h, else whole days.
 */
export function timeLeftI18n(ms: number): I18nText {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return { 'zh-CN': `约 ${minutes} 分钟`, 'en-US': `about ${minutes} min` };
  const hours = Math.round(minutes / 60);
  if (hours < 48) return { 'zh-CN': `约 ${hours} 小时`, 'en-US': `about ${hours} h` };
  const days = Math.round(hours / 24);
  return { 'zh-CN': `约 ${days} 天`, 'en-US': `about ${days} days` };
}

/** {@link formatDuration} in both locales. */
export function durationI18n(ms: number): I18nText {
  return { 'zh-CN': formatDuration(ms, 'zh-CN'), 'en-US': formatDuration(ms, 'en-US') };
}

/** `+08:00` / `-03:30` / `+00:00`: the zone's offset from UTC at the instant `ms`. */
export function formatOffset(ms: number, timezone: string): string {
  const c = wallClock(new Date(ms).toISOString(), timezone);
  if (!c) return '+--:--';
  const wall = Date.UTC(+c.year, +c.month - 1, +c.day, +c.hour, +c.minute, +c.second);
  const minutes = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * `YYYY-MM-DD HH:MM:SS +08:00` in `timezone`: a time a person can read without guessing the zone (status
 * replies, exports). Dashes when `iso` is not a date.
 */
export function formatDateTimeZoned(iso: string, timezone: string): string {
  const ms = parseInstant(iso);
  if (ms === undefined) return '---------- --:--:-- +--:--';
  return `${formatDateTime(iso, timezone)} ${formatOffset(ms, timezone)}`;
}

/**
 * An ISO-8601 instant written in `timezone`: `2026-11-28T10:32:05.123+08:00`. The same instant as the
 * `…Z` form, but a person reading an export sees the zone's wall clock. The input when it is not a date.
 */
export function isoInZone(iso: string, timezone: string): string {
  const ms = parseInstant(iso);
  const c = wallClock(iso, timezone);
  if (ms === undefined || !c) return iso;
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${c.year}-${c.month}-${c.day}T${c.hour}:${c.minute}:${c.second}.${millis}${formatOffset(ms, timezone)}`;
}
