import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptPayload, signBody } from '../../src/lark/crypto.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { type FakeBot, startFakeBot } from './helpers/fake-bot.js';

const CLOCK = 1_700_000_123_456;
const CHAT = 'oc_incident';

let bot: FakeBot;
let sandbox: Sandbox;

function make(encryptKey?: string, deadlines?: { eventMs?: number; challengeMs?: number }) {
  sandbox = createSandbox({
    encryptKey,
    verificationToken: 'vt-123',
    eventUrl: `${bot.url}/lark/events`,
    now: () => CLOCK,
    deadlines,
  });
  sandbox.addChat({
    chatId: CHAT,
    name: 'Incident',
    members: [
      { openId: 'ou_alice', name: 'Alice' },
      { openId: 'ou_bob', name: 'Bob Lee', unionId: 'on_bob', userId: 'bob01' },
    ],
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

describe('userSays without an encrypt key', () => {
  it('posts the exact im.message.receive_v1 envelope, compact, signed with an empty key', async () => {
    make();
    const result = await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_bob',
      text: '/rollback emergency',
      eventId: 'ev_1',
      messageId: 'om_1',
    });
    expect(result).toMatchObject({ status: 200, eventId: 'ev_1', messageId: 'om_1', body: '{}' });
    expect(bot.received).toHaveLength(1);
    const req = bot.received[0];
    if (!req) throw new Error('nothing received');
    expect(req.path).toBe('/lark/events');
    expect(req.headers['content-type']).toBe('application/json');
    const ts = req.headers['x-lark-request-timestamp'] as string;
    const nonce = req.headers['x-lark-request-nonce'] as string;
    expect(ts).toBe('1700000123');
    expect(nonce).toMatch(/^[0-9a-f]{16}$/);
    expect(req.headers['x-lark-signature']).toBe(signBody(ts, nonce, '', req.rawBody));
    expect(JSON.stringify(JSON.parse(req.rawBody))).toBe(req.rawBody);
    expect(JSON.parse(req.rawBody)).toEqual({
      schema: '2.0',
      header: {
        event_id: 'ev_1',
        event_type: 'im.message.receive_v1',
        create_time: String(CLOCK),
        token: 'vt-123',
        app_id: 'cli_a1b2c3d4e5f60718',
        tenant_key: '736588c9260f175d',
      },
      event: {
        sender: {
          sender_id: { union_id: 'on_bob', user_id: 'bob01', open_id: 'ou_bob' },
          sender_type: 'user',
          tenant_key: '736588c9260f175d',
        },
        message: {
          message_id: 'om_1',
          create_time: String(CLOCK),
          update_time: String(CLOCK),
          chat_id: CHAT,
          chat_type: 'group',
          message_type: 'text',
          content: '{"text":"@_user_1 /rollback emergency"}',
          mentions: [
            {
              key: '@_user_1',
              id: {
                union_id: sandbox.store.bot.unionId,
                user_id: sandbox.store.bot.userId,
                open_id: 'ou_rollbackbot',
              },
              name: 'RollbackBot',
              tenant_key: '736588c9260f175d',
            },
          ],
          user_agent: 'Mozilla/5.0 (Lark sandbox)',
        },
      },
    });
    expect(sandbox.messages(CHAT)).toEqual([
      expect.objectContaining({
        messageId: 'om_1',
        sender: { type: 'user', openId: 'ou_bob', name: 'Bob Lee' },
        content: { text: '@_user_1 /rollback emergency' },
        mentions: [{ key: '@_user_1', openId: 'ou_rollbackbot', name: 'RollbackBot' }],
      }),
    ]);
  });

  it('turns @Name of members into further mentions, and can leave the bot out', async () => {
    make();
    await sandbox.userSays({ chatId: CHAT, senderOpenId: 'ou_alice', text: '@Bob Lee please approve' });
    // Without the bot's mention, Lark pushes a group message only to an app that reads all group messages.
    const unheard = await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_alice',
      text: 'not for the bot',
      mentionBot: false,
    });
    expect(unheard).toMatchObject({ delivered: false, status: 0, attempts: [] });
    expect(sandbox.message(unheard.messageId)?.content).toEqual({ text: 'not for the bot' });
    expect(bot.received).toHaveLength(1);
    sandbox.setGroupMessages('all');
    await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_alice',
      text: 'just chatting',
      mentionBot: false,
    });
    const [first, second] = bot.received.map((r) => JSON.parse(r.rawBody).event.message);
    expect(first.content).toBe('{"text":"@_user_1 @_user_2 please approve"}');
    expect(first.mentions.map((m: { key: string; name: string }) => [m.key, m.name])).toEqual([
      ['@_user_1', 'RollbackBot'],
      ['@_user_2', 'Bob Lee'],
    ]);
    expect(second.content).toBe('{"text":"just chatting"}');
    expect(second.mentions).toBeUndefined();
  });

  it('bends timestamp, signature and token on request, or leaves the headers out', async () => {
    make();
    const base = { chatId: CHAT, senderOpenId: 'ou_alice', text: 'x' };
    await sandbox.userSays(base, { timestamp: '1699990000', token: 'wrong-token' });
    await sandbox.userSays(base, { signature: 'f'.repeat(64) });
    await sandbox.userSays(base, { omitSignature: true });
    const [stale, forged, bare] = bot.received;
    expect(stale?.headers['x-lark-request-timestamp']).toBe('1699990000');
    expect(stale?.headers['x-lark-signature']).toBe(
      signBody('1699990000', stale?.headers['x-lark-request-nonce'] as string, '', stale?.rawBody ?? ''),
    );
    expect(JSON.parse(stale?.rawBody ?? '').header.token).toBe('wrong-token');
    expect(forged?.headers['x-lark-signature']).toBe('f'.repeat(64));
    expect(bare?.headers['x-lark-signature']).toBeUndefined();
    expect(bare?.headers['x-lark-request-timestamp']).toBeUndefined();
  });
});

describe('userSays with an encrypt key', () => {
  it('sends {"encrypt"} that decrypts to the envelope, signed over the exact bytes with the key', async () => {
    make('my-encrypt-key');
    await sandbox.userSays({ chatId: CHAT, senderOpenId: 'ou_alice', text: 'hi', eventId: 'ev_enc' });
    const req = bot.received[0];
    if (!req) throw new Error('nothing received');
    const body = JSON.parse(req.rawBody) as { encrypt: string };
    expect(Object.keys(body)).toEqual(['encrypt']);
    expect(req.rawBody).toBe(JSON.stringify(body));
    const envelope = JSON.parse(decryptPayload('my-encrypt-key', body.encrypt));
    expect(envelope.header.event_id).toBe('ev_enc');
    expect(JSON.parse(envelope.event.message.content)).toEqual({ text: '@_user_1 hi' });
    const ts = req.headers['x-lark-request-timestamp'] as string;
    const nonce = req.headers['x-lark-request-nonce'] as string;
    expect(req.headers['x-lark-signature']).toBe(signBody(ts, nonce, 'my-encrypt-key', req.rawBody));
  });

  it('is accepted by the official SDK dispatcher (signature check on, decrypt, flatten)', async () => {
    make('my-encrypt-key');
    await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_alice',
      text: '/rollback help',
      eventId: 'ev_sdk',
    });
    const req = bot.received[0];
    if (!req) throw new Error('nothing received');
    let seen: { event_id?: string; message?: { content: string } } | undefined;
    const dispatcher = new lark.EventDispatcher({
      encryptKey: 'my-encrypt-key',
      verificationToken: 'vt-123',
      logger: { error() {}, warn() {}, info() {}, debug() {}, trace() {} },
    }).register({
      'im.message.receive_v1': async (data) => {
        seen = data as typeof seen;
        return 'handled';
      },
    });
    const data = Object.assign(Object.create({ headers: req.headers }), JSON.parse(req.rawBody));
    expect(await dispatcher.invoke(data)).toBe('handled');
    expect(seen?.event_id).toBe('ev_sdk');
    expect(seen?.message?.content).toBe('{"text":"@_user_1 /rollback help"}');
  });
});

describe('retries and duplicates', () => {
  it('re-posts the same event and bytes with fresh headers until answered 200', async () => {
    make('k');
    let calls = 0;
    bot.setHandler(() => (++calls < 3 ? { status: 500, body: 'oops' } : {}));
    const result = await sandbox.userSays(
      { chatId: CHAT, senderOpenId: 'ou_alice', text: 'x', eventId: 'ev_retry' },
      { retry: true, schedule: [20, 20, 20] },
    );
    expect(result.status).toBe(200);
    expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(new Set(bot.received.map((r) => r.rawBody)).size).toBe(1);
    expect(new Set(bot.received.map((r) => r.headers['x-lark-request-nonce'])).size).toBe(3);
    expect(sandbox.deliveries().map((d) => [d.kind, d.eventId, d.attempt, d.status])).toEqual([
      ['event', 'ev_retry', 1, 500],
      ['event', 'ev_retry', 2, 500],
      ['event', 'ev_retry', 3, 200],
    ]);
    expect(sandbox.messages(CHAT)).toHaveLength(1);
  });

  it('treats a slow answer as a failure and gives up when the schedule runs out', async () => {
    make(undefined, { eventMs: 100 });
    bot.setHandler(() => ({ delayMs: 300 }));
    const result = await sandbox.userSays(
      { chatId: CHAT, senderOpenId: 'ou_alice', text: 'x' },
      { retry: true, schedule: [10] },
    );
    expect(result.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout']);
    expect(result).toMatchObject({ status: 0, error: 'timeout' });
  });

  it('does not retry unless asked, and redeliver sends a duplicate on demand', async () => {
    make();
    bot.setHandler(() => ({ status: 503 }));
    const first = await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_alice',
      text: 'x',
      eventId: 'ev_dup',
    });
    expect(first.attempts).toHaveLength(1);
    bot.setHandler(() => ({}));
    const again = await sandbox.redeliver('ev_dup');
    expect(again).toMatchObject({ status: 200, eventId: 'ev_dup' });
    expect(bot.received[1]?.rawBody).toBe(bot.received[0]?.rawBody);
    expect(sandbox.deliveries().at(-1)).toMatchObject({ eventId: 'ev_dup', attempt: 2 });
    await expect(sandbox.redeliver('ev_unknown')).rejects.toThrow(/never sent/);
  });
});
