/** What a run's thread should hold, and how what Lark got compares with it. */

export interface ThreadCheck {
  /** Expected lines not found in order (lost, or out of order). */
  missing: string[];
  /** Lines that arrived more often than expected (duplicates). */
  duplicates: string[];
}

const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `▶ 10:32:05 · T+00:12 · Prepare — started` */
export const started = (title: string) => new RegExp(`· ${quote(title)} — started$`);
/** `✅ … · Prepare — succeeded in 0.1s` */
export const succeeded = (title: string) => new RegExp(`· ${quote(title)} — succeeded in `);
export const ended = (title: string, state: string) => new RegExp(`· ${quote(title)} — ${quote(state)}`);
/** The summary reply: `✅ Succeeded: Crash test (target t1)` and the total time against the RTO. */
export const summary = (state: string, title: string) =>
  new RegExp(`^\\S+ ${quote(state)}: ${quote(title)} \\(target [^)]+\\)\\nTotal time .*RTO`);

/** Start and end of each step title, in order. */
export function stepLines(titles: string[]): RegExp[] {
  return titles.flatMap((t) => [started(t), succeeded(t)]);
}

/**
 * Each expected line must appear after the previous one (order); a line matching an expectation more times
 * than it is expected is a duplicate. Lines matching no expectation are ignored (notes such as "Retry chosen").
 */
export function checkThread(lines: string[], expected: RegExp[]): ThreadCheck {
  const missing: string[] = [];
  let at = 0;
  for (const pattern of expected) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found < 0) missing.push(pattern.source);
    else at = found + 1;
  }
  const duplicates: string[] = [];
  const distinct = new Map<string, { pattern: RegExp; want: number }>();
  for (const pattern of expected) {
    const entry = distinct.get(pattern.source) ?? { pattern, want: 0 };
    entry.want += 1;
    distinct.set(pattern.source, entry);
  }
  for (const { pattern, want } of distinct.values()) {
    const got = lines.filter((line) => pattern.test(line)).length;
    if (got > want) duplicates.push(`${pattern.source} ×${got} (expected ${want})`);
  }
  return { missing, duplicates };
}
