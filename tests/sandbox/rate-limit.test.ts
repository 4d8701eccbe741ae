import type * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { SlidingWindowLimiter } from '../../src/sandbox/rate-limiter.js';
import { failure, sdkClient, v2Card } from './helpers/sdk.js';

let sandbox: Sandbox;
let client: lark.Client;
let clock: number;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  sandbox = createSandbox({ now: () => clock });
  sandbox.addChat({ chatId: 'oc_a' });
  sandbox.addChat({ chatId: 'oc_b' });
  await sandbox.listen();
  client = sdkClient(sandbox);
});

afterEach(async () => {
  await sandbox.close();
});

const say = (chat: string, text: string) =>
  client.im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: chat, msg_type: 'text', content: JSON.stringify({ text }) },
  });

describe("Lark's 5/s per chat for create + reply", () => {
  it('refuses the sixth message in a second with 429, the headers, and records nothing', async () => {
    for (let i = 1; i <= 5; i++) {
      clock += 100;
      await say('oc_a', `m${i}`);
    }
    clock += 100;
    const err = await failure(say('oc_a', 'm6'));
    expect(err.status).toBe(429);
    expect(err.data).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(err.headers['x-ogw-ratelimit-limit']).toBe('5');
    expect(err.headers['x-ogw-ratelimit-reset']).toBe('1');
    expect(sandbox.messages('oc_a').map((m) => (m.content as { text: string }).text)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    expect(sandbox.requests().filter((r) => r.status === 429)).toHaveLength(1);

    // Another chat has its own budget; this one frees up as the window slides past the first message.
    await expect(say('oc_b', 'other chat')).resolves.toMatchObject({ code: 0 });
    clock += 500;
    await expect(say('oc_a', 'm6 again')).resolves.toMatchObject({ code: 0 });
    expect(sandbox.messages('oc_a')).toHaveLength(6);
  });

  it('counts replies together with creates', async () => {
    const root = (await say('oc_a', 'root')).data?.message_id as string;
    for (let i = 0; i < 4; i++) {
      await client.im.v1.message.reply({
        path: { message_id: root },
        data: { msg_type: 'text', content: '{"text":"r"}' },
      });
    }
    expect((await failure(say('oc_a', 'sixth'))).status).toBe(429);
  });

  it('takes a lowered limit at once', async () => {
    sandbox.rateLimits.perChat = 2;
    await say('oc_a', '1');
    await say('oc_a', '2');
    const err = await failure(say('oc_a', '3'));
    expect(err.headers['x-ogw-ratelimit-limit']).toBe('2');
  });
});

describe("Lark's 5/s per message for patch", () => {
  it('limits patches per message, not per chat', async () => {
    const sandbox2 = createSandbox({ now: () => clock, rateLimits: { perMessage: 2 } });
    sandbox2.addChat({ chatId: 'oc_a' });
    await sandbox2.listen();
    const c = sdkClient(sandbox2);
    try {
      const card = async () =>
        (
          await c.im.v1.message.create({
            params: { receive_id_type: 'chat_id' },
            data: { receive_id: 'oc_a', msg_type: 'interactive', content: JSON.stringify(v2Card('v0')) },
          })
        ).data?.message_id as string;
      const [one, two] = [await card(), await card()];
      const patch = (id: string, title: string) =>
        c.im.v1.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(v2Card(title)) } });
      await patch(one, 'v1');
      await patch(one, 'v2');
      const err = await failure(patch(one, 'v3'));
      expect(err).toMatchObject({ status: 429, data: { code: 99991400 } });
      expect(err.headers['x-ogw-ratelimit-limit']).toBe('2');
      expect(sandbox2.message(one)?.history).toHaveLength(3);
      await expect(patch(two, 'v1')).resolves.toMatchObject({ code: 0 });
      clock += 1000;
      await expect(patch(one, 'v3')).resolves.toMatchObject({ code: 0 });
    } finally {
      await sandbox2.close();
    }
  });
});

describe('SlidingWindowLimiter', () => {
  it('frees a slot exactly when the oldest hit leaves the window', () => {
    let t = 0;
    const limiter = new SlidingWindowLimiter(
      () => 2,
      () => t,
    );
    expect(limiter.tryAcquire('k')).toBeNull();
    t = 400;
    expect(limiter.tryAcquire('k')).toBeNull();
    t = 999;
    expect(limiter.tryAcquire('k')).toEqual({ limit: 2, resetSeconds: 1 });
    t = 1000;
    expect(limiter.tryAcquire('k')).toBeNull();
    t = 1399;
    expect(limiter.tryAcquire('k')).not.toBeNull();
  });
});
