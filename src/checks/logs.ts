import { durationI18n } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import { CheckFailure, durationFlag, formatDuration, type Parsed, UsageError } from './args.js';
import { type Ctx, describeFailure, exec, pathIn, throwIfStopped } from './context.js';
import { said } from './result.js';

/** A leading timestamp, after an optional `service  | ` prefix (docker compose). */
const STAMP = /^(?:\S+\s+\|\s+)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;

export function lineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m?.[1]) return undefined;
  const ms = Date.parse(m[1].replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Which lines of one run of the logs command are new. A timestamped line is new when it is not older than the
 * cut-off; a line without one is new when it occurs more often than in any earlier run (the first run is the
 * baseline, unless `--since` asked for older lines too).
 */
export class NewLines {
  private readonly seen = new Map<string, number>();
  private readonly counted = new Set<string>();
  constructor(private readonly cutoffMs: number) {}

  baseline(output: string): void {
    for (const [line, n] of counts(output)) if (lineTime(line) === undefined) this.seen.set(line, n);
  }

  take(output: string): string[] {
    const fresh: string[] = [];
    for (const [line, n] of counts(output)) {
      const time = lineTime(line);
      if (time !== undefined) {
        if (time >= this.cutoffMs && !this.counted.has(line)) {
          this.counted.add(line);
          fresh.push(line);
        }
        continue;
      }
      const before = this.seen.get(line) ?? 0;
      for (let i = before; i < n; i++) fresh.push(line);
      if (n > before) this.seen.set(line, n);
    }
    return fresh;
  }
}

function counts(output: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd();
    if (line !== '') map.set(line, (map.get(line) ?? 0) + 1);
  }
  return map;
}

/**
 * `logs --for 60s [--fail-on ERROR]… [--every 5s] [--since 0s] [--cwd d] -- <logs command…>`: the seed's
 * `docker compose logs -f app` watched for "日志无ERROR". Runs the command every `--every` and once at the end,
 * and fails as soon as a line newer than the start (or than `--since` before it) matches a pattern (a regular
 * expression), printing the matching lines. The command is the target's `logs` argv, e.g. `app logs --since 2m`.
 */
export async function logsCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const [file, ...args] = flags.rest;
  if (!file)
    throw new UsageError('give the logs command after --, e.g. -- docker compose logs --since 2m app');
  const forMs = durationFlag(flags, 'for');
  const everyMs = Math.max(200, durationFlag(flags, 'every', '5s'));
  const sinceMs = durationFlag(flags, 'since', '0s');
  const patterns = (flags.lists.get('fail-on') ?? ['ERROR']).map((p) => {
    try {
      return new RegExp(p);
    } catch {
      throw new UsageError(`--fail-on: not a regular expression: ${JSON.stringify(p)}`);
    }
  });
  const cwdFlag = flags.strings.get('cwd');
  const cwd = cwdFlag === undefined ? ctx.cwd : pathIn(ctx, cwdFlag);
  // A relative program (`./examples/lark-service/app`) is relative to the check's cwd, like a step's argv[0].
  const program = file.startsWith('./') || file.startsWith('../') ? pathIn(ctx, file) : file;
  const started = Date.now();
  const fresh = new NewLines(started - sinceMs);
  const run = async () => {
    const result = await exec(ctx, program, args, { cwd, timeoutMs: Math.max(10_000, everyMs * 2) });
    throwIfStopped(ctx);
    if (result.exitCode !== 0) throw new CheckFailure(describeFailure(`logs command (${file})`, result, 4));
    return result.stdout;
  };
  if (sinceMs === 0) fresh.baseline(await run());
  const deadline = started + forMs;
  let newLines = 0;
  let runs = 0;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining > 0) await ctx.sleep(Math.min(everyMs, remaining));
    const lines = fresh.take(await run());
    runs++;
    newLines += lines.length;
    const bad = lines.filter((line) => patterns.some((re) => re.test(line)));
    if (bad.length > 0) {
      for (const line of bad.slice(0, 20)) ctx.err(line);
      if (bad.length > 20) ctx.err(`… and ${bad.length - 20} more`);
      const took = formatDuration(Date.now() - started);
      throw new CheckFailure(
        `${bad.length} line(s) matching ${patterns.map((p) => p.source).join(' | ')} after ${took}`,
      );
    }
    if (Date.now() >= deadline) break;
  }
  const what = patterns.map((p) => p.source).join(' | ');
  const over = formatDuration(forMs);
  const overZh = durationI18n(forMs)['zh-CN'];
  if (newLines === 0) {
    // Passing, but not proof: an app that logs nothing (stopped, or logging elsewhere) has no ERROR either.
    return said(
      `⚠ 应用在 ${overZh} 内没有输出任何日志（读取 ${runs} 次）：未见 ${what}，但无从判断`,
      `⚠ the app logged nothing over ${over} (${runs} reads): no ${what} seen, but nothing to judge by`,
    );
  }
  return said(
    `${overZh} 内 ${newLines} 行新日志中没有 ${what}（读取 ${runs} 次）`,
    `no ${what} in ${newLines} new log line(s) over ${over} (${runs} reads)`,
  );
}
