import type { LongConnectionOptions } from './ws-hub.js';
/** Sandbox options, their defaults, and the checks that keep the emulated app looking like a real one. */

export interface SandboxOptions {
  /** Must look like a real app id: the SDK's WSClient refuses others. @defaultValue 'cli_a1b2c3d4e5f60718' */
  appId?: string;
  /** @defaultValue 'sandbox-app-secret' */
  appSecret?: string;
  /** @defaultValue 'ou_rollbackbot' */
  botOpenId?: string;
  /** @defaultValue 'RollbackBot' */
  botName?: string;
  /** Sent as `header.token` in events and callbacks. @defaultValue 'sandbox-verification-token' */
  verificationToken?: string;
  /** When set, event and callback bodies are `{"encrypt": …}` and signed with it. @defaultValue none */
  encryptKey?: string;
  /** @defaultValue '736588c9260f175d' */
  tenantKey?: string;
  /** The bot's event URL (`…/lark/events`); settable later with `setBotUrls`. */
  eventUrl?: string;
  /** The bot's card callback URL. @defaultValue the event URL */
  cardUrl?: string;
  /** Clock in ms: message times, header timestamps, rate-limit windows, uuid expiry, 14-day patch limit. */
  now?: () => number;
  /** The long connection's ClientConfig and frame splitting (`ws-hub.ts`). */
  longConnection?: LongConnectionOptions;
  /** Randomness for fault injection; pass a seeded one for reproducible soak tests. @defaultValue Math.random */
  random?: () => number;
  rateLimits?: Partial<RateLimits>;
  deadlines?: Partial<Deadlines>;
  /**
   * Which group messages Lark delivers to the bot: only those that @-mention it (`mentions`, the default scope),
   * or all of them (`all`, the "read all group messages" scope). Settable later on `config.groupMessages`.
   * @defaultValue 'mentions'
   */
  groupMessages?: GroupMessageScope;
}

export type GroupMessageScope = 'mentions' | 'all';

/** Lark's documented per-target limits (LARK.md §5.5); mutable on the sandbox so a test can lower them. */
export interface RateLimits {
  /** create + reply together, per chat, per second. @defaultValue 5 */
  perChat: number;
  /** patch, per message, per second. @defaultValue 5 */
  perMessage: number;
}

/** How long Lark waits for the bot (LARK.md §1.2, §1.7, §3.1); real timers, not the injected clock. */
export interface Deadlines {
  /** @defaultValue 3000 */
  eventMs: number;
  /** @defaultValue 3000 */
  callbackMs: number;
  /** @defaultValue 1000 */
  challengeMs: number;
  /**
   * Over the long connection, the waits before re-pushing an event whose ack was late or failed (the WS
   * schedule is unconfirmed; LARK-LONG-CONNECTION.md). @defaultValue [1000, 5000, 30000]
   */
  repushMs: number[];
}

export interface SandboxConfig {
  appId: string;
  appSecret: string;
  botOpenId: string;
  botName: string;
  verificationToken: string;
  encryptKey: string | undefined;
  tenantKey: string;
  /** Mutable: which group messages reach the bot (see SandboxOptions.groupMessages). */
  groupMessages: GroupMessageScope;
}

export interface ResolvedOptions {
  config: SandboxConfig;
  urls: { eventUrl?: string; cardUrl?: string };
  now: () => number;
  random: () => number;
  rateLimits: RateLimits;
  deadlines: Deadlines;
}

export const APP_ID_PATTERN = /^cli_[0-9a-f]{16}$/;

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  const config: SandboxConfig = {
    appId: options.appId ?? 'cli_a1b2c3d4e5f60718',
    appSecret: options.appSecret ?? 'sandbox-app-secret',
    botOpenId: options.botOpenId ?? 'ou_rollbackbot',
    botName: options.botName ?? 'RollbackBot',
    verificationToken: options.verificationToken ?? 'sandbox-verification-token',
    encryptKey: options.encryptKey === '' ? undefined : options.encryptKey,
    tenantKey: options.tenantKey ?? '736588c9260f175d',
    groupMessages: options.groupMessages ?? 'mentions',
  };
  if (config.groupMessages !== 'mentions' && config.groupMessages !== 'all') {
    throw new Error(`sandbox option groupMessages must be 'mentions' or 'all'`);
  }
  if (!APP_ID_PATTERN.test(config.appId)) {
    throw new Error(`sandbox appId ${JSON.stringify(config.appId)} must match ${APP_ID_PATTERN}`);
  }
  const rateLimits: RateLimits = { perChat: 5, perMessage: 5, ...options.rateLimits };
  const deadlines: Deadlines = {
    eventMs: 3000,
    callbackMs: 3000,
    challengeMs: 1000,
    repushMs: [1000, 5000, 30000],
    ...options.deadlines,
  };
  const { repushMs, ...timeouts } = deadlines;
  const waits = Object.fromEntries(repushMs.map((ms, i) => [`repushMs[${i}]`, ms]));
  for (const [name, value] of Object.entries({ ...rateLimits, ...timeouts, ...waits })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`sandbox option ${name} must be a positive integer`);
  }
  const urls: ResolvedOptions['urls'] = {};
  if (options.eventUrl) urls.eventUrl = checkUrl(options.eventUrl);
  if (options.cardUrl) urls.cardUrl = checkUrl(options.cardUrl);
  return {
    config,
    urls,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    rateLimits,
    deadlines,
  };
}

export function checkUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`not an http(s) URL: ${url}`);
  return url;
}
