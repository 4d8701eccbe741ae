/** Durations as written in runbooks: `90s`, `10m`, `1h`, or combined largest unit first, `1h30m`. */
const DURATION = /^(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/;

/** Longest duration accepted anywhere: a day (beyond that, Node timers and RTO budgets make no sense). */
export const MAX_DURATION_SECONDS = 24 * 3600;

/** Seconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, hours, minutes, seconds] = match;
  if (hours === undefined && minutes === undefined && seconds === undefined) return undefined;
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}
