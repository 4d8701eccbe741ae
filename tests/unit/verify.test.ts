import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptPayload, encryptPayload, signBody } from '../../src/lark/crypto.js';
import { InboundError } from '../../src/lark/inbound-error.js';
import { verifyInbound } from '../../src/lark/verify.js';

const KEY = 'test key';
const VT = 'vtoken123';
const NOW = 1_700_000_000_000;
const options = { encryptKey: KEY, verificationToken: VT, now: () => NOW };

function signed(body: string, key = KEY, ts = '1700000000', nonce = 'nonce-abc') {
  return {
    'x-lark-request-timestamp': ts,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': signBody(ts, nonce, key, body),
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InboundError) return error.code;
    throw error;
  }
  return 'OK';
}

describe('LARK.md test vectors', () => {
  it('decrypts the official vector', () => {
    expect(decryptPayload('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world');
  });

  it('reproduces the challenge vector and its signature', () => {
    const plain = '{"challenge":"ajls384kdjx98XX","token":"vtoken123","type":"url_verification"}';
    const encrypt = encryptPayload(KEY, plain, Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
    expect(encrypt).toBe(
      'AAECAwQFBgcICQoLDA0ODw9mLTIAZS9jAmGTQ1wAhHpnBHVL2wRjH9rPunQdQC1vowgFED9sqYslOC/jjL/ycqCyP/l26wdpCscxAl3p1TWfP9JoEgwb1O48bkJP154m',
    );
    const body = JSON.stringify({ encrypt });
    expect(signBody('1700000000', 'nonce-abc', KEY, body)).toBe(
      '970bb3b4ee84e1d1974e50ab16796c235f83d7ee29d52a87c5a243c92e947cfb',
    );
    expect(verifyInbound(Buffer.from(body), signed(body), options)).toEqual({
      kind: 'challenge',
      challenge: 'ajls384kdjx98XX',
    });
  });
});

describe('verifyInbound', () => {
  const envelope = JSON.stringify({
    encrypt: encryptPayload(KEY, JSON.stringify({ schema: '2.0', header: { token: VT, event_id: 'e1' } })),
  });

  it('accepts a signed, encrypted event inside the window either side', () => {
    for (const ts of ['1699999700', '1700000300']) {
      expect(verifyInbound(Buffer.from(envelope), signed(envelope, KEY, ts), options).kind).toBe('envelope');
    }
  });

  it('fails closed', () => {
    const raw = Buffer.from(envelope);
    expect(codeOf(() => verifyInbound(raw, signed(envelope, KEY, '1699999699'), options))).toBe(
      'STALE_TIMESTAMP',
    );
    expect(codeOf(() => verifyInbound(raw, signed(envelope, KEY, '1700000301'), options))).toBe(
      'STALE_TIMESTAMP',
    );
    expect(codeOf(() => verifyInbound(raw, signed(envelope, 'other key'), options))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyInbound(raw, {}, options))).toBe('MISSING_SIGNATURE');
    // One byte changed after signing.
    const tampered = Buffer.from(`${envelope} `);
    expect(codeOf(() => verifyInbound(tampered, signed(envelope), options))).toBe('BAD_SIGNATURE');
    const wrongToken = JSON.stringify({
      encrypt: encryptPayload(KEY, JSON.stringify({ schema: '2.0', header: { token: 'x' } })),
    });
    expect(codeOf(() => verifyInbound(Buffer.from(wrongToken), signed(wrongToken), options))).toBe(
      'BAD_TOKEN',
    );
    const plain = JSON.stringify({ schema: '2.0', header: { token: VT } });
    expect(codeOf(() => verifyInbound(Buffer.from(plain), signed(plain), options))).toBe('UNDECRYPTABLE');
  });

  it('without an Encrypt Key, relies on the token and checks a signature only when one is sent', () => {
    const noKey = { ...options, encryptKey: '' };
    const plain = JSON.stringify({ schema: '2.0', header: { token: VT } });
    expect(verifyInbound(Buffer.from(plain), {}, noKey).kind).toBe('envelope');
    expect(verifyInbound(Buffer.from(plain), signed(plain, ''), noKey).kind).toBe('envelope');
    expect(codeOf(() => verifyInbound(Buffer.from(plain), signed(plain, 'x'), noKey))).toBe('BAD_SIGNATURE');
    const wrong = JSON.stringify({ schema: '2.0', header: { token: 'nope' } });
    expect(codeOf(() => verifyInbound(Buffer.from(wrong), {}, noKey))).toBe('BAD_TOKEN');
    expect(codeOf(() => verifyInbound(Buffer.from(envelope), {}, noKey))).toBe('UNDECRYPTABLE');
  });

  it('never throws anything but an InboundError, for any bytes and headers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.dictionary(
          fc.constantFrom('x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature'),
          fc.string(),
        ),
        (bytes, headers) => {
          const code = codeOf(() => verifyInbound(Buffer.from(bytes), headers, options));
          expect(code).not.toBe('OK');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips encryption for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1 }), (text, key) => {
        expect(decryptPayload(key, encryptPayload(key, text))).toBe(text);
      }),
    );
  });
});
