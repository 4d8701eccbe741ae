import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, LEAD_A, startBot } from './helpers/bot.js';
import { type OwnRedis, startOwnRedis } from './helpers/infra.js';
import { checkThread, stepLines, summary } from './helpers/thread.js';

/**
 * Issue 9 item 13: an answer to Lark never waits on Redis. With Redis gone, a Tech Lead's Approve is committed
 * in Postgres and answered at once (Lark gives 3 s and never retries a callback); a command is acknowledged
 * too. Once Redis is back, the sweep queues what the triggers lost and the run completes. Our own
 * redis-server, never the shared one.
 */

let redis: OwnRedis;
let bot: Bot;

beforeAll(async () => {
  redis = await startOwnRedis();
  bot = await startBot({ redisUrl: redis.url });
  await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
  await redis?.close();
}, 60_000);

describe('Redis gone while people click and talk', () => {
  it('answers an approval from Postgres in time, and the sweep starts the run once Redis is back', async () => {
    const req = await bot.request('/rollback ten t1 ms=50');
    await redis.kill();

    // The sandbox, like Lark, gives up on a callback after 3 s and shows the person an error.
    const started = Date.now();
    const json = bot.cardJson(req.card);
    const value = JSON.parse(/"value":(\{"action":"approve"[^}]*\})/.exec(json)?.[1] as string);
    const clicked = await bot.sandbox.click({ operatorOpenId: LEAD_A, messageId: req.card.messageId, value });
    const tookMs = Date.now() - started;
    console.log(`[faults] Approve with Redis gone answered in ${tookMs} ms`);
    expect(clicked.status).toBe(200);
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
    expect(JSON.stringify(clicked.card)).not.toContain('"action":"approve"');
    expect((await bot.run(req.run)).state).toBe('queued');

    // A command is acknowledged in time too (its reply is owed in Postgres, sent once Redis is back).
    const said = await bot.sandbox.userSays({
      chatId: req.card.chatId,
      senderOpenId: LEAD_A,
      text: '/rollback status',
    });
    expect(said.status).toBe(200);
    expect(said.error).toBeUndefined();

    await redis.start();
    await bot.waitRun(req.run, 'succeeded', 60_000);
    // The server said once that Redis went, and once that it came back.
    await bot.server.waitForLog(/redis is reachable again/, 10_000);
    expect(bot.server.logs.filter((l) => l.includes('redis is unreachable'))).toHaveLength(1);
    const titles = Array.from({ length: 10 }, (_, i) => `Phase ${String(i + 1).padStart(2, '0')}`);
    const expected = [...stepLines(titles), summary('Succeeded', 'Ten steps')];
    await bot.sandbox.waitFor(
      () => bot.thread(req.card).some((t) => (expected.at(-1) as RegExp).test(t)),
      60_000,
    );
    expect(checkThread(bot.thread(req.card), expected)).toEqual({ missing: [], duplicates: [] });
    await bot.sandbox.waitFor(
      () => bot.sandbox.botMessages(req.card.chatId).some((m) => m.parentId === said.messageId),
      30_000,
    );
  }, 120_000);
});
