import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/lark/crypto.js';
import {
  CHAT,
  eventually,
  type Harness,
  LEAD_B,
  ONCALL,
  runState,
  startHarness,
} from '../helpers/harness.js';

/** The inbound boundary against a bot with an Encrypt Key: every body is {"encrypt": …} and signed. */
let h: Harness;
const KEY = 'e2e encrypt key';

beforeAll(async () => {
  h = await startHarness({ encryptKey: KEY });
});
afterAll(async () => {
  await h?.close();
});

const botSent = () => h.sandbox.requests().filter((r) => r.path.startsWith('/open-apis/im/')).length;
const runCount = async () =>
  (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n as number;
const eventsUrl = () => h.sandbox.eventUrl ?? '';

describe('inbound requests, encrypted', () => {
  it('answers the url_verification challenge, encrypted and plain, only with the right token', async () => {
    expect((await h.sandbox.challenge({ encrypted: true })).ok).toBe(true);
    expect((await h.sandbox.challenge({ encrypted: false })).ok).toBe(true);
    expect((await h.sandbox.challenge({ encrypted: false, signed: false })).ok).toBe(true);
    const wrong = await h.sandbox.challenge({ encrypted: true, token: 'not-the-token' });
    expect(wrong.ok).toBe(false);
    expect(wrong.status).toBe(401);
  });

  it('refuses a bad signature, a stale timestamp, a wrong token and missing headers with 401, changing nothing', async () => {
    const before = { sent: botSent(), runs: await runCount() };
    const say = (opts: object) =>
      h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback thin' }, opts);
    expect((await say({ signature: 'f'.repeat(64) })).status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 301);
    expect((await say({ timestamp: stale })).status).toBe(401);
    const future = String(Math.floor(Date.now() / 1000) + 301);
    expect((await say({ timestamp: future })).status).toBe(401);
    expect((await say({ token: 'wrong-token' })).status).toBe(401);
    expect((await say({ omitSignature: true })).status).toBe(401);
    // Give a wrongly accepted request time to show up, then check nothing happened.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(botSent()).toBe(before.sent);
    expect(await runCount()).toBe(before.runs);
  });

  it('refuses undecryptable, malformed, plaintext and oversized bodies', async () => {
    const post = async (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const headers = {
        'content-type': 'application/json',
        'x-lark-request-timestamp': ts,
        'x-lark-request-nonce': 'n1',
        'x-lark-signature': signBody(ts, 'n1', KEY, body),
      };
      return (await h.sandbox.deliver(body, headers, eventsUrl())).status;
    };
    expect(await post(JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString('base64') }))).toBe(401);
    expect(await post('{"encrypt":')).toBe(400);
    expect(await post('[1,2,3]')).toBe(400);
    expect(await post(JSON.stringify({ schema: '2.0', header: { token: 'e2e-verification-token' } }))).toBe(
      401,
    );
    expect(await post(JSON.stringify({ encrypt: 'A'.repeat(70_000) }))).toBe(413);
  });

  it('acts once on three deliveries of the same event', async () => {
    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive').length;
    const before = cards();
    const first = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback thin' });
    const again = await Promise.all([h.sandbox.redeliver(first.eventId), h.sandbox.redeliver(first.eventId)]);
    expect([first.status, ...again.map((a) => a.status)]).toEqual([200, 200, 200]);
    const card = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive')[before],
      10_000,
    );
    const runs = await h.ctx.pool.query('SELECT id FROM runs WHERE source_message_id = $1', [
      first.messageId,
    ]);
    expect(runs.rows).toHaveLength(1);
    // Let the worker drain, then make sure no second card came.
    await eventually(async () =>
      (await h.ctx.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'`)).rows[0].n ===
      0
        ? true
        : undefined,
    );
    expect(cards()).toBe(before + 1);
    // And the encrypted flow goes all the way through.
    const json = JSON.stringify(card.content);
    const value = JSON.parse(/"value":(\{"action":"approve"[^}]*\})/.exec(json)?.[1] ?? '{}');
    const click = await h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value });
    expect(click.toast?.type).toBe('success');
    await runState(h, runs.rows[0].id, 'succeeded');
  });
});
