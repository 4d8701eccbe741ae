import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptPayload } from '../../src/lark/crypto.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { type FakeBot, startFakeBot } from './helpers/fake-bot.js';

let bot: FakeBot;
let sandbox: Sandbox;

function make(encryptKey?: string, deadlines?: { challengeMs?: number }) {
  sandbox = createSandbox({
    encryptKey,
    verificationToken: 'vt-123',
    eventUrl: `${bot.url}/lark/events`,
    deadlines,
  });
  return sandbox;
}

beforeEach(async () => {
  bot = await startFakeBot();
});

afterEach(async () => {
  await sandbox?.close();
  await bot.close();
});

describe('challenge', () => {
  const echo = (key?: string) => (req: { rawBody: string }) => {
    const body = JSON.parse(req.rawBody);
    const plain = body.encrypt && key ? JSON.parse(decryptPayload(key, body.encrypt)) : body;
    return { body: { challenge: plain.challenge } };
  };

  it('accepts an echo of the plain challenge and refuses a wrong one', async () => {
    make();
    bot.setHandler(echo());
    const ok = await sandbox.challenge();
    expect(ok.ok).toBe(true);
    expect(JSON.parse(bot.received[0]?.rawBody ?? '')).toEqual({
      challenge: ok.challenge,
      token: 'vt-123',
      type: 'url_verification',
    });
    bot.setHandler(() => ({ body: { challenge: 'something else' } }));
    expect((await sandbox.challenge()).ok).toBe(false);
  });

  it('encrypts when a key is set, and needs the answer within the deadline', async () => {
    make('k', { challengeMs: 150 });
    bot.setHandler(echo('k'));
    const ok = await sandbox.challenge();
    expect(ok.ok).toBe(true);
    expect(Object.keys(JSON.parse(bot.received[0]?.rawBody ?? ''))).toEqual(['encrypt']);
    bot.setHandler((req) => ({ ...echo('k')(req), delayMs: 400 }));
    expect(await sandbox.challenge()).toMatchObject({ ok: false, error: 'timeout' });
  });
});

describe('deliver', () => {
  it('posts exactly the bytes and headers given', async () => {
    make();
    const result = await sandbox.deliver(
      '{"tampered": true }',
      { 'content-type': 'application/json', 'x-a': 'b' },
      bot.url,
    );
    expect(result.status).toBe(200);
    expect(bot.received[0]?.rawBody).toBe('{"tampered": true }');
    expect(bot.received[0]?.headers['x-a']).toBe('b');
    expect(sandbox.deliveries().at(-1)).toMatchObject({ kind: 'raw', status: 200 });
  });
});
