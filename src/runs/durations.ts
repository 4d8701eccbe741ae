import type { DurationEstimate } from '../../cards/model.js';

/** Measured durations (issue 14): what earlier runs took, as the approval card and the summary show it. Pure. */

/** How many of the latest successful runs the median is taken over. */
export const DURATION_SAMPLES = 10;
/** The seed's reserve: "预留时间: 回滚操作时间×3" (leave time to handle problems). */
export const RESERVE_FACTOR = 3;
/** The runbook whose runs are the rehearsals the seed asks to time ("记录回滚时间"). */
export const DRILL_RUNBOOK = 'drill';

/** The median of the values (the mean of the two middle ones for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** A duration that can be counted: finite and not negative (a clock step backwards gives neither). */
const usable = (ms: number | undefined): ms is number => ms !== undefined && Number.isFinite(ms) && ms >= 0;

/**
 * The estimate from the durations of the latest successful runs (newest first) and of the last drill: the
 * median of at most {@link DURATION_SAMPLES} of them, and the reserve, {@link RESERVE_FACTOR} × the median (else
 * × the drill when no run is recorded).
 */
export function estimateDuration(successesMs: readonly number[], lastDrillMs?: number): DurationEstimate {
  const samples = successesMs.filter(usable).slice(0, DURATION_SAMPLES);
  const medianMs = median(samples);
  const drill = usable(lastDrillMs) ? lastDrillMs : undefined;
  const expected = medianMs ?? drill;
  return {
    successes: samples.length,
    ...(medianMs !== undefined ? { medianMs } : {}),
    ...(drill !== undefined ? { lastDrillMs: drill } : {}),
    ...(expected !== undefined ? { reserveMs: expected * RESERVE_FACTOR } : {}),
  };
}
