import { encryptPayload, signBody } from '../lark/crypto.js';
import { newNonce } from './ids.js';

/** Ways to bend a delivery so a test can hit the bot's rejection paths. */
export interface SignOverrides {
  /** `x-lark-request-timestamp` as sent, e.g. a stale one; the signature is computed over it. */
  timestamp?: string;
  nonce?: string;
  /** Sent instead of the correct signature. */
  signature?: string;
  /** Send no `x-lark-*` headers at all. */
  omitSignature?: boolean;
}

export interface DeliveryResult {
  /** HTTP status, 0 when there was no answer in time (`error: 'timeout'`) or no connection (`'network'`). */
  status: number;
  /** Response body as text ('' when none). */
  body: string;
  /** Parsed body when it is JSON. */
  json?: unknown;
  error?: 'timeout' | 'network';
  errorMessage?: string;
  durationMs: number;
}

/**
 * The bytes Lark posts: compact `JSON.stringify` of the envelope, or of `{encrypt}` when a key is set. Compact
 * matters: the Node SDK re-serialises before checking the signature, which only matches compact input.
 */
export function encodeBody(payload: unknown, encryptKey: string | undefined): string {
  const plaintext = JSON.stringify(payload);
  return encryptKey ? JSON.stringify({ encrypt: encryptPayload(encryptKey, plaintext) }) : plaintext;
}

/**
 * Lark's headers for one attempt: a fresh Unix-seconds timestamp and nonce, and sha256 over them, the key and
 * the exact body. Without an encrypt key the signature uses an empty key: whether Lark sends the headers then
 * is unconfirmed (LARK.md §1.5), and the bot must cope either way.
 */
export function signedHeaders(
  rawBody: string | Buffer,
  encryptKey: string | undefined,
  nowMs: number,
  overrides: SignOverrides = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (overrides.omitSignature) return headers;
  const timestamp = overrides.timestamp ?? String(Math.floor(nowMs / 1000));
  const nonce = overrides.nonce ?? newNonce();
  headers['x-lark-request-timestamp'] = timestamp;
  headers['x-lark-request-nonce'] = nonce;
  headers['x-lark-signature'] = overrides.signature ?? signBody(timestamp, nonce, encryptKey ?? '', rawBody);
  return headers;
}

/** One POST with a deadline covering the whole exchange (headers and body), like Lark's 3 s. */
export async function post(
  url: string,
  rawBody: string | Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // A copied Uint8Array, because fetch's types do not take a Buffer over a SharedArrayBuffer.
    const body = typeof rawBody === 'string' ? rawBody : new Uint8Array(rawBody);
    const response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    const text = await response.text();
    const result: DeliveryResult = { status: response.status, body: text, durationMs: elapsed() };
    try {
      if (text !== '') result.json = JSON.parse(text);
    } catch {
      // Not JSON: callers look at `body` and decide whether that is an error.
    }
    return result;
  } catch (err) {
    const timedOut = signal.aborted;
    return {
      status: 0,
      body: '',
      error: timedOut ? 'timeout' : 'network',
      errorMessage:
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
      durationMs: elapsed(),
    };
  }
}
