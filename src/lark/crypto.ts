import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Lark's event/callback crypto (LARK.md §1.5, §1.6). Pure functions over bytes; both the bot and the sandbox
 * use them, so the two sides cannot drift apart.
 */

/** lower-hex sha256(timestamp + nonce + encryptKey ++ rawBody): the `X-Lark-Signature` of an event or callback. */
export function signBody(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: Buffer | string,
): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(timestamp + nonce + encryptKey, 'utf8'));
  hash.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return hash.digest('hex');
}

/** Constant-time comparison of two lower-hex signatures; false for any length or charset mismatch. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

const keys = new Map<string, Buffer>();

/** sha256(encryptKey), computed once per key (it is on every request's path). */
function aesKey(encryptKey: string): Buffer {
  let key = keys.get(encryptKey);
  if (!key) {
    key = createHash('sha256').update(encryptKey, 'utf8').digest();
    if (keys.size > 16) keys.clear();
    keys.set(encryptKey, key);
  }
  return key;
}

/** base64(iv ‖ AES-256-CBC(sha256(key), iv, PKCS#7(plaintext))). The iv is random unless given (tests). */
export function encryptPayload(encryptKey: string, plaintext: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** Inverse of encryptPayload. Throws on anything that is not a well-formed ciphertext (bad padding included). */
export function decryptPayload(encryptKey: string, encrypted: string): string {
  const buf = Buffer.from(encrypted, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) throw new Error('ciphertext has a bad length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}
