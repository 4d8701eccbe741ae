import type { ActivityLog } from './activity-log.js';
import type { ChatStore } from './chat-store.js';
import { type DeliveryResult, post, type SignOverrides, signedHeaders } from './delivery.js';
import type { Deadlines, SandboxConfig } from './options.js';
import type { DeliveryRecord } from './types.js';
import { type LongConnectionHub, WS_PATH } from './ws-hub.js';

/** What the event and card senders share: identity, clock, where the bot listens, and the logs. */
export interface SenderContext {
  config: SandboxConfig;
  store: ChatStore;
  log: ActivityLog;
  now: () => number;
  deadlines: Deadlines;
  urls: { eventUrl?: string; cardUrl?: string };
  /** Aborted by `sandbox.close()`, so scheduled retries stop instead of firing at a closed bot. */
  closing: AbortSignal;
  /** The long connection: once the app has connected by it, events and clicks go over it. */
  hub: LongConnectionHub;
}

export interface AttemptSpec {
  kind: DeliveryRecord['kind'];
  url: string;
  rawBody: string | Buffer;
  timeoutMs: number;
  attempt: number;
  eventId?: string;
  overrides?: SignOverrides;
  /** Sent as is, instead of signing (only for `deliver`). */
  headers?: Record<string, string>;
  /** The unencrypted envelope: with it, the attempt goes over the long connection (see `overLongConnection`). */
  plaintext?: string;
}

/** Lark pushes over the long connection once the app uses it; a test naming a URL still means that URL. */
export function overLongConnection(ctx: SenderContext, explicitUrl: string | undefined): boolean {
  return explicitUrl === undefined && ctx.hub.inUse;
}

/** Signs (fresh timestamp and nonce on every attempt), posts, and logs one delivery. */
export async function deliverAttempt(ctx: SenderContext, spec: AttemptSpec): Promise<DeliveryResult> {
  const at = ctx.now();
  const overWs = spec.plaintext !== undefined;
  const result = overWs
    ? await ctx.hub.push(spec.plaintext ?? '', spec.timeoutMs)
    : await post(
        spec.url,
        spec.rawBody,
        spec.headers ?? signedHeaders(spec.rawBody, ctx.config.encryptKey, at, spec.overrides),
        spec.timeoutMs,
      );
  ctx.log.addDelivery({
    at,
    kind: spec.kind,
    url: overWs ? WS_PATH : spec.url,
    eventId: spec.eventId,
    attempt: spec.attempt,
    status: result.status,
    error: result.error,
    durationMs: result.durationMs,
  });
  return result;
}

export function requireUrl(url: string | undefined, what: string, ctx?: SenderContext): string {
  if (!url && ctx?.hub.inUse) return WS_PATH;
  if (!url) throw new Error(`the sandbox has no ${what} URL: pass it in the options or call setBotUrls`);
  return url;
}
