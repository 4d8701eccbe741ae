/** Durations as people type them in flags, env and `at=+…`: one parser for all of them. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `3s`, `10m`, `24h`, `1d`, or combined largest first (`1h30m`); a bare number is seconds. */
export function parseDurationMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return total;
}

/** A duration of more than zero (`24h`, `10m`, `7d`), in ms; undefined otherwise. */
export function positiveDurationMs(text: string): number | undefined {
  const ms = parseDurationMs(text.trim());
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** `24h,10m` → [86400000, 600000], distinct, largest first; undefined when any item is not a duration. */
export function parseDurationList(text: string): number[] | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ms = items.map(positiveDurationMs);
  if (ms.some((v) => v === undefined)) return undefined;
  return [...new Set(ms as number[])].sort((a, b) => b - a);
}
