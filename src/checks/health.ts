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

/**
 * `health --url u [--attempts 10] [--every 3s] [--timeout 2s]`: the seed's `curl -f …/health/ready`, retried —
 * GET until a 2xx answer. On failure it shows the last status and the start of the body (the example app names
 * the missing tables there).
 */
export async function healthCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const url = urlFlag(flags, 'url');
  const attempts = intFlag(flags, 'attempts', 10) ?? 10;
  if (attempts < 1) throw new UsageError('--attempts must be at least 1');
  const everyMs = durationFlag(flags, 'every', '3s');
  const timeoutMs = durationFlag(flags, 'timeout', '2s');
  const shown = `${url.origin}${url.pathname}`;
  const started = performance.now();
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const limit = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([limit, ctx.signal]) : limit;
      const res = await fetch(url, { signal, redirect: 'follow' });
      const body = (await res.text()).replace(/\s+/g, ' ').trim().slice(0, 200);
      if (res.ok) {
        const took = formatDuration(performance.now() - started);
        return said(
          `GET ${shown} → ${res.status}，第 ${attempt}/${attempts} 次尝试（${took}）${body ? `：${body}` : ''}`,
          `GET ${shown} → ${res.status} on attempt ${attempt}/${attempts} (${took})${body ? `: ${body}` : ''}`,
        );
      }
      last = `${res.status}${body ? ` ${body}` : ''}`;
    } catch (error) {
      throwIfStopped(ctx);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      last =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${formatDuration(timeoutMs)}`
          : (cause?.code ?? cause?.message ?? errorText(error));
    }
    ctx.out(`attempt ${attempt}/${attempts}: ${last}`);
    if (attempt < attempts) await ctx.sleep(everyMs);
  }
  throw new CheckFailure(`GET ${shown} not healthy after ${attempts} attempt(s): ${last}`);
}
