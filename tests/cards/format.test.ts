import { describe, expect, it } from 'vitest';
import {
  durationI18n,
  elapsedBetween,
  formatClock,
  formatDateTime,
  formatDuration,
  formatElapsed,
  isValidTimeZone,
  timeLeftI18n,
} from '../../cards/format.js';

describe('formatClock / formatDateTime', () => {
  it('crosses the date line: UTC 23:59:59 is 07:59:59 the next day in Asia/Shanghai', () => {
    expect(formatClock('2024-06-01T23:59:59Z', 'Asia/Shanghai')).toBe('07:59:59');
    expect(formatDateTime('2024-06-01T23:59:59Z', 'Asia/Shanghai')).toBe('2024-06-02 07:59:59');
  });

  it('goes back a day west of UTC, and keeps seconds', () => {
    expect(formatDateTime('2024-01-01T03:04:05.999Z', 'America/Los_Angeles')).toBe('2023-12-31 19:04:05');
    expect(formatClock('2024-06-01T10:32:05Z', 'UTC')).toBe('10:32:05');
  });

  it('prints midnight as 00, never 24', () => {
    expect(formatClock('2024-06-01T16:00:00Z', 'Asia/Shanghai')).toBe('00:00:00');
  });

  it('follows daylight saving time', () => {
    expect(formatClock('2024-03-31T00:59:59Z', 'Europe/Berlin')).toBe('01:59:59');
    expect(formatClock('2024-03-31T01:00:00Z', 'Europe/Berlin')).toBe('03:00:00');
  });

  it('renders dashes for a string that is not a date, and throws for an unknown zone', () => {
    expect(formatClock('not a date', 'Asia/Shanghai')).toBe('--:--:--');
    expect(formatDateTime('', 'Asia/Shanghai')).toBe('---------- --:--:--');
    expect(() => formatClock('2024-06-01T00:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('formatElapsed', () => {
  it('counts minutes past 59', () => {
    expect(formatElapsed(75 * 60_000 + 3_000)).toBe('T+75:03');
    expect(formatElapsed(12_999)).toBe('T+00:12');
    expect(formatElapsed(0)).toBe('T+00:00');
    expect(formatElapsed(100 * 60_000)).toBe('T+100:00');
  });

  it('is never negative, and dashes for a non-number', () => {
    expect(formatElapsed(-5_000)).toBe('T+00:00');
    expect(formatElapsed(Number.NaN)).toBe('T+--:--');
  });

  it('is measured between two instants', () => {
    expect(elapsedBetween('2024-06-01T02:31:53Z', '2024-06-01T02:32:05Z')).toBe(12_000);
    expect(elapsedBetween(undefined, '2024-06-01T02:32:05Z')).toBeUndefined();
    expect(elapsedBetween('x', '2024-06-01T02:32:05Z')).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('shows tenths under a minute', () => {
    expect(formatDuration(2_100)).toBe('2.1s');
    expect(formatDuration(40)).toBe('0.0s');
    expect(formatDuration(2_100, 'zh-CN')).toBe('2.1秒');
  });

  it('switches to minutes without printing 60.0s', () => {
    expect(formatDuration(59_960)).toBe('1m 00s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(125_000, 'zh-CN')).toBe('2分05秒');
    expect(formatDuration(900_000)).toBe('15m 00s');
  });

  it('shows hours', () => {
    expect(formatDuration(3_725_000)).toBe('1h 02m 05s');
    expect(formatDuration(3_725_000, 'zh-CN')).toBe('1小时02分05秒');
  });

  it('clamps negatives and dashes non-numbers, in both locales', () => {
    expect(formatDuration(-1)).toBe('0.0s');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
    expect(durationI18n(125_000)).toEqual({ 'zh-CN': '2分05秒', 'en-US': '2m 05s' });
  });
});

describe('timeLeftI18n', () => {
  it('rounds a time ahead as a person says it: minutes, then hours, then days', () => {
    expect(timeLeftI18n(10 * 60_000)).toEqual({ 'zh-CN': '约 10 分钟', 'en-US': 'about 10 min' });
    expect(timeLeftI18n(20_000)).toEqual({ 'zh-CN': '约 1 分钟', 'en-US': 'about 1 min' });
    expect(timeLeftI18n(24 * 3_600_000)).toEqual({ 'zh-CN': '约 24 小时', 'en-US': 'about 24 h' });
    expect(timeLeftI18n(3 * 86_400_000)).toEqual({ 'zh-CN': '约 3 天', 'en-US': 'about 3 days' });
  });
});
