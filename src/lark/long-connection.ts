/**
 * Lark's long connection (LARK-LONG-CONNECTION.md): the SDK's own WSClient, dialling out, with the raw v2
 * envelope of every event and card click handed to one function, the same one the webhook routes call.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { sdkDomain } from './client.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Lark's code and message when the connection stopped (or last failed). */
  code?: number;
  reason?: string;
  reconnects: number;
}

/** The envelope handler: resolves to the ack's answer (`{}` for events, toast and card for a click). */
export type EnvelopeHandler = (envelope: Record<string, unknown>) => Promise<object>;

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  domain: string;
  log: Logger;
  handle: EnvelopeHandler;
  /** A half-open connection (NAT drop, sleep) is noticed after this long without a pong. @defaultValue 60 */
  pingTimeoutSec?: number;
  /** Called on every state change (metrics). */
  onState?: (status: ConnectionStatus) => void;
  /** First wait before restarting a client the SDK gave up on for a non-credential code. @defaultValue 1000 */
  restartMs?: number;
}

export interface LongConnection {
  status(): ConnectionStatus;
  close(): void;
}

/** Codes that mean the app id or secret is wrong: no retry helps, a person must fix the configuration. */
const CREDENTIAL_CODES = new Set([514, 10014, 10003]);
const MAX_RESTART_MS = 60_000;

/** A frame the SDK could not merge or parse; acked without acting, so Lark does not re-push it forever. */
export const UNDECODABLE = Symbol('undecodable frame');

/** Hands the raw envelope (header included) to the handler, instead of the SDK's flattened event. */
class EnvelopeDispatcher extends lark.EventDispatcher {
  constructor(
    private readonly handle: EnvelopeHandler,
    logger: ReturnType<typeof sdkLogger>,
  ) {
    super({ logger, loggerLevel: lark.LoggerLevel.info });
  }

  override async invoke(data: unknown): Promise<object> {
    if (typeof data !== 'object' || data === null || UNDECODABLE in data) return {};
    return this.handle(data as Record<string, unknown>);
  }
}

/** The SDK's log calls (several arguments) as one line each in the bot's redacting logger, at info and up. */
function sdkLogger(log: Logger) {
  const line = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return {
    error: (...args: unknown[]) => log.error(line(args)),
    warn: (...args: unknown[]) => log.warn(line(args)),
    info: (...args: unknown[]) => log.info(line(args)),
    debug: () => {},
    trace: () => {},
  };
}

interface MergeInput {
  message_id: string;
}
interface DataCache {
  mergeData(input: MergeInput): unknown;
  deleteCache?(id: string): void;
}

/**
 * The official client drops, unacked, a frame whose payload is not JSON (LARK-LONG-CONNECTION.md, observed 1):
 * Lark would re-push it forever. Wrap its fragment merge so such a frame reaches the dispatcher as UNDECODABLE.
 */
function ackUndecodable(client: lark.WSClient, log: Logger): void {
  const cache = (client as unknown as { dataCache?: DataCache }).dataCache;
  if (!cache || typeof cache.mergeData !== 'function') return;
  const merge = cache.mergeData.bind(cache);
  cache.mergeData = (input: MergeInput) => {
    try {
      return merge(input);
    } catch (error) {
      cache.deleteCache?.(input.message_id);
      log.warn(
        { err: (error as Error).message },
        'long connection: a frame did not decode; acked without acting',
      );
      return { [UNDECODABLE]: true };
    }
  };
}

export function startLongConnection(options: LongConnectionOptions): LongConnection {
  const log = options.log.child({ component: 'lark-long-connection' });
  const dispatcher = new EnvelopeDispatcher(options.handle, sdkLogger(log));
  let status: ConnectionStatus = { state: 'connecting', reconnects: 0 };
  let client: lark.WSClient | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartMs = options.restartMs ?? 1000;
  let closed = false;

  const set = (next: Partial<ConnectionStatus>) => {
    status = { ...status, ...next };
    options.onState?.(status);
  };

  const onError = (error: Error) => {
    const code = Number(/code=(\d+)/.exec(error.message)?.[1] ?? Number.NaN);
    const reason = /msg=(.*)$/.exec(error.message)?.[1] ?? error.message;
    if (CREDENTIAL_CODES.has(code)) {
      log.error(
        { code, reason },
        `Lark refused the long connection: the app id or secret is wrong (code ${code}: ${reason}). Check LARK_APP_ID and LARK_APP_SECRET; the bot receives nothing until then.`,
      );
      set({ state: 'stopped', code, reason });
      return;
    }
    log.warn({ code, reason }, `long connection stopped by Lark; restarting in ${restartMs} ms`);
    set({ state: 'reconnecting', ...(Number.isNaN(code) ? {} : { code }), reason });
    restartTimer = setTimeout(connect, restartMs);
    restartMs = Math.min(restartMs * 2, MAX_RESTART_MS);
  };

  function connect() {
    if (closed) return;
    client?.close({ force: true });
    client = new lark.WSClient({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: sdkDomain(options.domain),
      logger: sdkLogger(log),
      loggerLevel: lark.LoggerLevel.info,
      wsConfig: { pingTimeout: options.pingTimeoutSec ?? 60 },
      onReady: () => {
        restartMs = options.restartMs ?? 1000;
        log.info('long connection to Lark open');
        set({ state: 'connected', code: undefined, reason: undefined });
      },
      onReconnecting: () => {
        log.info('long connection to Lark lost; reconnecting');
        set({ state: 'reconnecting' });
      },
      onReconnected: () => {
        log.info('long connection to Lark open again');
        set({ state: 'connected', reconnects: status.reconnects + 1, code: undefined, reason: undefined });
      },
      onError,
    });
    ackUndecodable(client, log);
    void client.start({ eventDispatcher: dispatcher });
  }

  if (!/^cli_[0-9a-fA-F]{16}$/.test(options.appId)) {
    // The SDK would silently do nothing (LARK-LONG-CONNECTION.md): say why instead.
    log.error('LARK_APP_ID must look like cli_ followed by 16 hex digits for the long connection');
    set({ state: 'stopped', reason: 'LARK_APP_ID is not a Lark app id (cli_ and 16 hex digits)' });
  } else {
    connect();
  }

  return {
    status() {
      if (status.state === 'stopped' || !client) return status;
      const sdk = client.getConnectionStatus().state;
      if (sdk === 'connected') return { ...status, state: 'connected' };
      return { ...status, state: sdk === 'connecting' ? 'connecting' : 'reconnecting' };
    },
    close() {
      closed = true;
      if (restartTimer) clearTimeout(restartTimer);
      client?.close({ force: true });
      set({ state: 'stopped', reason: 'closed' });
    },
  };
}
