import { describe, expect, it } from 'vitest';
import { DURATION_SAMPLES, estimateDuration, median, RESERVE_FACTOR } from '../../src/runs/durations.js';

/** Issue 14 item 2: the median of the last successful runs and the seed's 3× reserve. */

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeUndefined();
    expect(median([7])).toBe(7);
    expect(median([3000, 1000])).toBe(2000);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // Order does not matter, and the input is left as it was.
    const input = [9, 2, 7, 4, 5];
    expect(median(input)).toBe(5);
    expect(input).toEqual([9, 2, 7, 4, 5]);
  });

  it('is not pulled by one slow outlier as a mean would be', () => {
    expect(median([40_000, 41_000, 39_000, 42_000, 600_000])).toBe(41_000);
  });
});

describe('estimateDuration', () => {
  it('says plainly that nothing is recorded: no median, no reserve, zero runs', () => {
    expect(estimateDuration([])).toEqual({ successes: 0 });
  });

  it('takes the median of the successful runs and reserves three times it', () => {
    expect(RESERVE_FACTOR).toBe(3);
    expect(estimateDuration([4200, 3800])).toEqual({ successes: 2, medianMs: 4000, reserveMs: 12_000 });
    expect(estimateDuration([4200, 3800], 2500)).toEqual({
      successes: 2,
      medianMs: 4000,
      lastDrillMs: 2500,
      reserveMs: 12_000,
    });
  });

  it('falls back to the last drill for the reserve when no run succeeded yet', () => {
    expect(estimateDuration([], 2500)).toEqual({ successes: 0, lastDrillMs: 2500, reserveMs: 7500 });
  });

  it('counts only the latest runs (newest first) and ignores durations that cannot be', () => {
    const newest = Array.from({ length: DURATION_SAMPLES }, () => 1000);
    const estimate = estimateDuration([...newest, 90_000, 90_000, 90_000]);
    expect(estimate.successes).toBe(DURATION_SAMPLES);
    expect(estimate.medianMs).toBe(1000);
    expect(estimateDuration([-5, Number.NaN, 2000], Number.POSITIVE_INFINITY)).toEqual({
      successes: 1,
      medianMs: 2000,
      reserveMs: 6000,
    });
  });
});
