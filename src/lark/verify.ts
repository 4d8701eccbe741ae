import { decryptPayload, signaturesEqual, signBody } from './crypto.js';
import { InboundError } from './inbound-error.js';

export interface VerifyOptions {
  encryptKey: string;
  verificationToken: string;
  /** Milliseconds since the epoch; injected so tests can move the clock. */
  now: () => number;
  /** Allowed clock skew either way, in seconds. */
  skewSeconds?: number;
}

export type Headers = Record<string, string | string[] | undefined>;

/** The decoded body of an authentic request: the challenge, or an envelope to dispatch. */
export type Verified =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'envelope'; body: Record<string, unknown> };

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseObject(text: string, code: 'MALFORMED_BODY' | 'UNDECRYPTABLE'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InboundError(
      code,
      code === 'MALFORMED_BODY' ? 'body is not JSON' : 'decrypted body is not JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InboundError(code, 'body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function tokenOf(body: Record<string, unknown>): unknown {
  const head = body.header as Record<string, unknown> | undefined;
  return head && typeof head === 'object' ? head.token : body.token;
}

function checkToken(body: Record<string, unknown>, expected: string): void {
  const token = tokenOf(body);
  if (typeof token !== 'string' || !signaturesEqual(expected, token)) {
    throw new InboundError('BAD_TOKEN', 'verification token does not match');
  }
}

/**
 * Verify the signature over the raw bytes (symmetric ±skew window, constant-time compare). With an Encrypt Key
 * the signature is mandatory. Without one it proves nothing (the key is empty, anyone can compute it), so it is
 * checked only when Lark sent it and the verification token is what authenticates the request. Fails closed.
 */
function checkSignature(raw: Buffer, headers: Headers, options: VerifyOptions): void {
  const timestamp = header(headers, 'x-lark-request-timestamp');
  const nonce = header(headers, 'x-lark-request-nonce');
  const signature = header(headers, 'x-lark-signature');
  if (timestamp === undefined && nonce === undefined && signature === undefined && !options.encryptKey)
    return;
  if (!timestamp || nonce === undefined || !signature) {
    throw new InboundError(
      'MISSING_SIGNATURE',
      'X-Lark-Request-Timestamp, -Nonce and X-Lark-Signature are required',
    );
  }
  const expected = signBody(timestamp, nonce, options.encryptKey, raw);
  if (!signaturesEqual(expected, signature.toLowerCase())) {
    throw new InboundError('BAD_SIGNATURE', 'signature does not match the body');
  }
  // The unit is seconds in every known sender; accept milliseconds too rather than guess (LARK.md §1.5).
  const stamp = Number(timestamp);
  const seconds = stamp > 1e11 ? stamp / 1000 : stamp;
  const skew = options.skewSeconds ?? 300;
  if (!Number.isFinite(seconds) || Math.abs(options.now() / 1000 - seconds) > skew) {
    throw new InboundError('STALE_TIMESTAMP', `timestamp is outside ±${skew} s`);
  }
}

/** Authenticate and decode one inbound request body. Throws InboundError; never returns unverified data. */
export function verifyInbound(raw: Buffer, headers: Headers, options: VerifyOptions): Verified {
  let body = parseObject(raw.toString('utf8'), 'MALFORMED_BODY');
  const encrypted = typeof body.encrypt === 'string';
  if (encrypted) {
    if (!options.encryptKey)
      throw new InboundError('UNDECRYPTABLE', 'encrypted body but no LARK_ENCRYPT_KEY');
    let plain: string;
    try {
      plain = decryptPayload(options.encryptKey, body.encrypt as string);
    } catch {
      throw new InboundError('UNDECRYPTABLE', 'body does not decrypt with LARK_ENCRYPT_KEY');
    }
    body = parseObject(plain, 'UNDECRYPTABLE');
  } else if (options.encryptKey && body.type !== 'url_verification') {
    // With a key configured, Lark encrypts everything; a plaintext event is not from Lark.
    throw new InboundError('UNDECRYPTABLE', 'plaintext body but LARK_ENCRYPT_KEY is set');
  }
  // The challenge is answered before (or without) the signature: Lark may not sign it (LARK.md §1.2).
  if (body.type === 'url_verification') {
    checkToken(body, options.verificationToken);
    if (typeof body.challenge !== 'string') throw new InboundError('MALFORMED_BODY', 'challenge is missing');
    return { kind: 'challenge', challenge: body.challenge };
  }
  checkSignature(raw, headers, options);
  checkToken(body, options.verificationToken);
  return { kind: 'envelope', body };
}
