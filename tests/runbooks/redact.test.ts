import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, secretsOfTarget } from '../../src/runbooks/index.js';

describe('createRedactor', () => {
  it('replaces every occurrence of a secret', () => {
    const redact = createRedactor(['s3cret-token']);
    expect(redact('token=s3cret-token; again s3cret-token!')).toBe('token=***; again ***!');
    expect(redact('nothing here')).toBe('nothing here');
  });

  it('ignores secrets shorter than 4 characters and treats regex characters literally', () => {
    const redact = createRedactor(['abc', 'a.b*c(d', '']);
    expect(redact('abc a.b*c(d aXb*c(d')).toBe('abc *** aXb*c(d');
  });

  it('masks URL passwords even when they are not listed', () => {
    const redact = createRedactor([]);
    expect(redact('connecting to postgresql://lark:hunter2@db:5432/lark ...')).toBe(
      'connecting to postgresql://lark:***@db:5432/lark ...',
    );
    expect(redact('redis://:p@ss@cache:6379/0 and "http://u:pw@h"')).toBe(
      'redis://:***@cache:6379/0 and "http://u:***@h"',
    );
    expect(redact('see https://example.com/a:b@c and user@example.com')).toBe(
      'see https://example.com/a:b@c and user@example.com',
    );
  });

  it('covers overlapping and nested secrets whole', () => {
    expect(createRedactor(['abcdef', 'cdefgh'])('xxabcdefghyy')).toBe('xx***yy');
    expect(createRedactor(['secret', 'secret-long'])('secret-long secret')).toBe('*** ***');
    expect(createRedactor(['aaaa'])('aaaaaa|aaaa')).toBe('***|***');
  });

  it('leaves no listed secret in the output (property)', () => {
    const secret = fc.string({ minLength: 4, maxLength: 12 }).filter((s) => !s.includes('*'));
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 5 }),
        fc.array(fc.string(), { maxLength: 8 }),
        (secrets, noise) => {
          const text = noise.map((n, i) => n + (secrets[i % secrets.length] ?? '')).join('');
          const out = createRedactor(secrets)(text);
          for (const s of secrets) expect(out).not.toContain(s);
        },
      ),
    );
  });

  it('is fast enough for output tails', () => {
    const secrets = Array.from({ length: 20 }, (_, i) => `secret-value-${i}-xyz`);
    const redact = createRedactor(secrets);
    const text =
      'INFO  [alembic.runtime.migration] Running downgrade 6fc3f28b87c8 -> , secret-value-7-xyz\n'.repeat(
        3000,
      );
    const started = performance.now();
    const out = redact(text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out).not.toContain('secret-value-7-xyz');
    expect(out.split('***').length).toBe(3001);
  });
});

describe('secretsOfTarget', () => {
  it('returns env values and URL passwords, raw and decoded', () => {
    const secrets = secretsOfTarget({
      id: 't',
      default: false,
      env: { DATABASE_URL: 'postgresql://u:p%40ss@db/x', TOKEN: 'abcd1234' },
      vars: { app_url: 'http://admin:letmein@host:8000', stop_app: ['curl', 'https://ops:opspw@ctl/stop'] },
    });
    expect(secrets.sort()).toEqual(
      ['postgresql://u:p%40ss@db/x', 'abcd1234', 'p%40ss', 'p@ss', 'letmein', 'opspw'].sort(),
    );
  });
});
