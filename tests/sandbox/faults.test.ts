import type * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { failure, sdkClient, v2Card } from './helpers/sdk.js';

let sandbox: Sandbox;
let client: lark.Client;

beforeEach(async () => {
  sandbox = createSandbox({ rateLimits: { perChat: 100 } });
  sandbox.addChat({ chatId: 'oc_a' });
  await sandbox.listen();
  client = sdkClient(sandbox);
});

afterEach(async () => {
  await sandbox.close();
});

const send = (text = 'hello') =>
  client.im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: 'oc_a', msg_type: 'text', content: JSON.stringify({ text }) },
  });

describe('failNext', () => {
  it('answers 500 once, records nothing, then works', async () => {
    sandbox.faults.failNext(1, '500');
    const err = await failure(send());
    expect(err.status).toBe(500);
    expect(err.data.code).toBe(2200);
    expect(sandbox.messages('oc_a')).toHaveLength(0);
    await expect(send()).resolves.toMatchObject({ code: 0 });
    expect(sandbox.messages('oc_a')).toHaveLength(1);
    expect(sandbox.requests().map((r) => [r.api, r.status, r.fault])).toEqual([
      ['token', 200, undefined],
      ['create', 500, '500'],
      ['create', 200, undefined],
    ]);
  });

  it('answers a 429 with the rate-limit headers', async () => {
    sandbox.faults.failNext(1, '429');
    const err = await failure(send());
    expect(err).toMatchObject({ status: 429, data: { code: 99991400 } });
    expect(err.headers['x-ogw-ratelimit-reset']).toBe('1');
    expect(err.headers['x-ogw-ratelimit-limit']).toBe('100');
  });

  it('drops the connection: the client sees no HTTP answer, nothing is stored', async () => {
    sandbox.faults.failNext(1, 'drop');
    const err = await send().then(
      () => undefined,
      (e: { response?: unknown; code?: string }) => e,
    );
    expect(err).toBeDefined();
    expect(err?.response).toBeUndefined();
    expect(sandbox.messages('oc_a')).toHaveLength(0);
    expect(sandbox.requests().at(-1)).toMatchObject({ api: 'create', status: 0, fault: 'drop' });
  });

  it('answers slowly but correctly', async () => {
    sandbox.faults.set({ slowMs: 300 });
    sandbox.faults.failNext(1, 'slow');
    const started = performance.now();
    await expect(send()).resolves.toMatchObject({ code: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(sandbox.messages('oc_a')).toHaveLength(1);
  });

  it('can target one API only', async () => {
    sandbox.faults.failNext(1, '500', ['patch']);
    const id = (
      await client.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: 'oc_a', msg_type: 'interactive', content: JSON.stringify(v2Card('x')) },
      })
    ).data?.message_id as string;
    const patch = () =>
      client.im.v1.message.patch({
        path: { message_id: id },
        data: { content: JSON.stringify(v2Card('y')) },
      });
    expect((await failure(patch())).status).toBe(500);
    await expect(patch()).resolves.toMatchObject({ code: 0 });
    expect(sandbox.faults.fired).toEqual({ '429': 0, '500': 1, slow: 0, drop: 0 });
  });
});

describe('random faults', () => {
  it('fault message APIs only, at the given probability, reproducibly with a seeded random', async () => {
    const draws = [0.1, 0.0, 0.9, 0.5, 0.99];
    const seeded = createSandbox({ random: () => draws.shift() ?? 0.99, rateLimits: { perChat: 100 } });
    seeded.addChat({ chatId: 'oc_a' });
    await seeded.listen();
    try {
      seeded.faults.set({ probability: 0.3, kinds: ['500', '429'] });
      const c = sdkClient(seeded);
      const info = await c.request({ url: '/open-apis/bot/v3/info', method: 'GET' });
      expect(info).toMatchObject({ code: 0 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          await c.im.v1.message
            .create({
              params: { receive_id_type: 'chat_id' },
              data: { receive_id: 'oc_a', msg_type: 'text', content: '{"text":"x"}' },
            })
            .then(
              () => 200,
              (e: { response: { status: number } }) => e.response.status,
            ),
        );
      }
      // draw 0.1 < 0.3 → fault, kind index floor(0.0*2)=0 → '500'; 0.9 → none; 0.5 → none.
      expect(statuses).toEqual([500, 200, 200]);
      expect(seeded.messages('oc_a')).toHaveLength(2);
    } finally {
      await seeded.close();
    }
  });

  it('validates settings', () => {
    expect(() => sandbox.faults.set({ probability: 1.5 })).toThrow(RangeError);
    expect(() => sandbox.faults.set({ kinds: [] })).toThrow(RangeError);
  });
});
