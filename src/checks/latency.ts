import type { I18nText } from '../../cards/model.js';
import {
  CheckFailure,
  durationFlag,
  formatDuration,
  intFlag,
  type Parsed,
  UsageError,
  urlFlag,
} from './args.js';
import { type Ctx, errorText, throwIfStopped } from './context.js';
import { said } from './result.js';

/** The seed's "API响应时间正常(<500ms)". */
const DEFAULT_P95 = '500ms';

/** Nearest-rank percentile (`p` in 0–100) of durations already sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarise(durationsMs: readonly number[]): LatencySummary {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds with one decimal below 10 ms (a local endpoint answers in 1–3 ms), whole above. */
function ms(value: number): string {
  return value < 10 ? `${value.toFixed(1)}ms` : `${Math.round(value)}ms`;
}

function describe(s: LatencySummary): string {
  return `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)}`;
}

/** Why a request got no answer: refused, unknown host, timed out (its own timeout or the check's bound). */
function reasonOf(error: unknown, timeoutMs: number, bounded: boolean): string {
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') {
    return bounded ? 'the check ran out of time (--within)' : `no answer within ${formatDuration(timeoutMs)}`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorText(error);
}

/**
 * `latency --url u [--requests 20] [--p95 500ms] [--timeout 2s] [--within 60s]`: the seed's post-rollback
 * "API响应时间正常(<500ms)". Sends the requests one after another (the app's answer time, not its throughput),
 * each timed from send to the last byte of the body, and passes when the 95th percentile is under `--p95`. A
 * request that is refused, times out (`--timeout` each) or answers non-2xx fails the check at once with the
 * reason; `--within` bounds the whole check, so it never hangs however the app behaves.
 */
export async function latencyCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const url = urlFlag(flags, 'url');
  const requests = intFlag(flags, 'requests', 20) ?? 20;
  if (requests < 1 || requests > 10_000) throw new UsageError('--requests must be between 1 and 10000');
  const limitMs = durationFlag(flags, 'p95', DEFAULT_P95);
  if (limitMs <= 0) throw new UsageError('--p95 must be more than 0');
  const timeoutMs = durationFlag(flags, 'timeout', '2s');
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  const withinMs = durationFlag(flags, 'within', '60s');
  if (withinMs <= 0) throw new UsageError('--within must be more than 0');
  // A credential in the URL is never shown: the origin and path only.
  const shown = `${url.origin}${url.pathname}`;
  const overall = AbortSignal.timeout(withinMs);
  const durations: number[] = [];
  for (let i = 1; i <= requests; i++) {
    // The step's own stop (timeout, cancel-now) ends the probe too: in the worker nothing else would.
    throwIfStopped(ctx);
    const stops = ctx.signal ? [ctx.signal] : [];
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), overall, ...stops]);
    const started = performance.now();
    try {
      const res = await fetch(url, { signal, redirect: 'follow', headers: { 'cache-control': 'no-cache' } });
      const body = await res.text();
      if (!res.ok) {
        const start = body.replace(/\s+/g, ' ').trim().slice(0, 200);
        throw new CheckFailure(
          `GET ${shown}: request ${i}/${requests} answered ${res.status}${start ? ` ${start}` : ''} (a latency probe needs a 2xx answer)`,
        );
      }
    } catch (error) {
      if (error instanceof CheckFailure) throw error;
      throwIfStopped(ctx);
      const why = reasonOf(error, timeoutMs, overall.aborted);
      const sofar = durations.length > 0 ? `; before it: ${describe(summarise(durations))}` : '';
      throw new CheckFailure(`GET ${shown}: request ${i}/${requests} failed: ${why}${sofar}`);
    }
    durations.push(performance.now() - started);
  }
  // Every measurement, in the order taken (the step's output; the result line carries the summary).
  ctx.out(`times (ms): ${durations.map((d) => d.toFixed(1)).join(' ')}`);
  const s = summarise(durations);
  const line = describe(s);
  if (s.p95 >= limitMs) {
    throw new CheckFailure(
      `GET ${shown}: p95 ${ms(s.p95)} is not under ${formatDuration(limitMs)} over ${s.n} request(s) (${line})`,
    );
  }
  return said(
    `GET ${shown}：${s.n} 次请求，p95 ${ms(s.p95)} 低于 ${formatDuration(limitMs)}（p50 ${ms(s.p50)}，最大 ${ms(s.max)}）`,
    `GET ${shown}: ${s.n} request(s), p95 ${ms(s.p95)} under ${formatDuration(limitMs)} (${line})`,
  );
}
