import { describe, expect, it } from 'vitest';
import { decryptPayload, encryptPayload, signBody } from '../../src/lark/crypto.js';
import { encodeBody, signedHeaders } from '../../src/sandbox/delivery.js';

/** LARK.md §1.6: the vectors the sandbox's wire format must reproduce byte for byte. */
const IV = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const PLAINTEXT = '{"challenge":"ajls384kdjx98XX","token":"vtoken123","type":"url_verification"}';
const ENCRYPTED =
  'AAECAwQFBgcICQoLDA0ODw9mLTIAZS9jAmGTQ1wAhHpnBHVL2wRjH9rPunQdQC1vowgFED9sqYslOC/jjL/ycqCyP/l26wdpCscxAl3p1TWfP9JoEgwb1O48bkJP154m';
const SIGNATURE = '970bb3b4ee84e1d1974e50ab16796c235f83d7ee29d52a87c5a243c92e947cfb';

describe('LARK.md §1.6 test vectors', () => {
  it('encrypts the documented challenge to the documented string', () => {
    expect(encryptPayload('test key', PLAINTEXT, IV)).toBe(ENCRYPTED);
    expect(decryptPayload('test key', ENCRYPTED)).toBe(PLAINTEXT);
  });

  it("decrypts Lark's official vector", () => {
    expect(decryptPayload('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world');
  });

  it('signs the compact {"encrypt"} body with the documented signature, through the sandbox header builder', () => {
    const rawBody = JSON.stringify({ encrypt: ENCRYPTED });
    expect(rawBody).toBe(`{"encrypt":"${ENCRYPTED}"}`);
    const headers = signedHeaders(rawBody, 'test key', 1_700_000_000_999, { nonce: 'nonce-abc' });
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-lark-request-timestamp': '1700000000',
      'x-lark-request-nonce': 'nonce-abc',
      'x-lark-signature': SIGNATURE,
    });
    expect(signBody('1700000000', 'nonce-abc', 'test key', rawBody)).toBe(SIGNATURE);
  });

  it('encodeBody is compact JSON, encrypted only with a key', () => {
    const payload = JSON.parse(PLAINTEXT);
    expect(encodeBody(payload, undefined)).toBe(PLAINTEXT);
    const encrypted = JSON.parse(encodeBody(payload, 'test key')) as { encrypt: string };
    expect(decryptPayload('test key', encrypted.encrypt)).toBe(PLAINTEXT);
  });
});
