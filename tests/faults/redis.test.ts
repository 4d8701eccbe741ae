import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, LEAD_A, type Requested, startBot } from './helpers/bot.js';
import { type OwnRedis, startOwnRedis } from './helpers/infra.js';
import { eventually, sleep } from './helpers/procs.js';
import { checkThread, stepLines, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 4: Redis holds only queues. Restarted (empty: no persistence) or flushed in the middle of a
 * run, it loses jobs; Postgres still says what is owed, and the sweep re-enqueues it. The run completes and
 * every thread line reaches Lark, in order, exactly once. Also: Redis away for longer than the worker lock
 * (restarted across a step boundary; frozen with its data kept, so BullMQ hands the running job out again)
 * must not pause a healthy run. Our own redis-server, never the shared one.
 */

const TITLES = Array.from({ length: 10 }, (_, i) => `Phase ${String(i + 1).padStart(2, '0')}`);
const EXPECTED = [...stepLines(TITLES), summary('Succeeded', 'Ten steps')];

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

async function expectComplete(req: Requested): Promise<void> {
  await bot.waitRun(req.run, 'succeeded', 60_000);
  await bot.sandbox.waitFor(
    () => bot.thread(req.card).some((t) => (EXPECTED.at(-1) as RegExp).test(t)),
    60_000,
  );
  const thread = bot.thread(req.card);
  expect(checkThread(thread, EXPECTED)).toEqual({ missing: [], duplicates: [] });
  expect(thread).toHaveLength(EXPECTED.length);
  await bot.waitCardOutcome(req.card, 'Succeeded');
  const steps = await bot.steps(req.run);
  expect(steps.every((s) => s.state === 'succeeded' && s.attempt === 1)).toBe(true);
  // Every message owed for the run was sent (card patches may be superseded by later ones), none failed.
  const states = await bot.waitOutboxSettled(req.run);
  expect(Object.keys(states).sort()).toEqual(expect.arrayContaining(['sent']));
  expect(states).not.toHaveProperty('failed');
}

describe('Redis lost in the middle of a run', () => {
  it('restarted (empty) mid-run: the run completes and nothing is lost', async () => {
    const req = await bot.request('/rollback ten t1 ms=700');
    await bot.approve(req, LEAD_A);
    await bot.waitStepStart(req.run, 'phase-03');
    await redis.stop();
    await sleep(1500);
    await redis.start();
    await expectComplete(req);
    expect(bot.workers.every((w) => w.exit === undefined) && bot.server.exit === undefined).toBe(true);
  }, 90_000);

  it('flushed mid-run: the run completes and nothing is lost', async () => {
    const req = await bot.request('/rollback ten t2 ms=700');
    await bot.approve(req, LEAD_A);
    await bot.waitStepStart(req.run, 'phase-03');
    await redis.flushAll();
    await bot.waitStepStart(req.run, 'phase-06');
    await redis.flushAll();
    await expectComplete(req);
  }, 90_000);

  it('flushed between approval and execution: the sweep re-enqueues the run and its messages', async () => {
    // No worker while it happens, so the jobs are surely in Redis, and surely lost.
    const req = await bot.request('/rollback ten t3 ms=100');
    const [worker] = bot.workers.filter((w) => w.exit === undefined);
    worker?.kill('SIGTERM');
    await worker?.exited;
    expect(worker?.exit?.code).toBe(0);
    await bot.approve(req, LEAD_A);
    expect((await bot.run(req.run)).state).toBe('queued');
    await redis.flushAll();
    await bot.startWorker();
    await expectComplete(req);
    // The approval's card update was owed before the flush too, and got there.
    const sent = await eventually(
      async () =>
        (
          await bot.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE run_id = $1 AND state = 'sent'`, [
            req.run,
          ])
        ).rows[0].n,
      10_000,
      'sent rows',
    );
    expect(sent).toBeGreaterThan(EXPECTED.length);
  }, 90_000);

  it('away for longer than the worker lock across a step boundary: the next step runs once, unpaused', async () => {
    // While Redis is away the executor waits between steps (its delivery trigger waits for Redis); its lease
    // must not lapse meanwhile, or the sweep would hand the run to a second attempt once Redis is back.
    const req = await bot.request('/rollback crash t4 ms=1000 prep=2000');
    await bot.approve(req, LEAD_A);
    await bot.waitStepStart(req.run, 'prep');
    await redis.stop();
    await sleep(5000);
    await redis.start();
    const end = await bot.waitRun(req.run, ['succeeded', 'paused', 'failed', 'cancelled'], 60_000);
    expect(end.state).toBe('succeeded');
    expect(bot.markers(req.run).filter((l) => l.startsWith('start mutate '))).toHaveLength(1);
    expect((await bot.steps(req.run)).map((s) => [s.state, s.attempt])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    await bot.sandbox.waitFor(
      () => bot.thread(req.card).some((t) => summary('Succeeded', 'Crash test').test(t)),
      60_000,
    );
    expect(
      checkThread(bot.thread(req.card), [
        ...stepLines(['Prepare', 'Mutate', 'Finish']),
        summary('Succeeded', 'Crash test'),
      ]),
    ).toEqual({ missing: [], duplicates: [] });
    expect(bot.thread(req.card)).toHaveLength(7);
  }, 90_000);

  it('unreachable for longer than the worker lock, data kept, during a non-idempotent step: no pause', async () => {
    // The job's lock expires in Redis meanwhile, so BullMQ hands the job out again; the worker that runs the
    // step still holds the lease in Postgres, so the second attempt must not take the run over.
    const req = await bot.request('/rollback crash t1 ms=6000');
    await bot.approve(req, LEAD_A);
    await bot.waitStepStart(req.run, 'mutate');
    redis.freeze();
    try {
      await sleep(4000);
    } finally {
      redis.thaw();
    }
    const end = await bot.waitRun(req.run, ['succeeded', 'paused', 'failed', 'cancelled'], 60_000);
    expect(end.state).toBe('succeeded');
    expect(bot.markers(req.run).filter((l) => l.startsWith('start mutate '))).toHaveLength(1);
    expect(bot.markers(req.run).filter((l) => l.startsWith('end mutate '))).toHaveLength(1);
    await bot.sandbox.waitFor(
      () => bot.thread(req.card).some((t) => summary('Succeeded', 'Crash test').test(t)),
      60_000,
    );
    expect(
      checkThread(bot.thread(req.card), [
        ...stepLines(['Prepare', 'Mutate', 'Finish']),
        summary('Succeeded', 'Crash test'),
      ]),
    ).toEqual({ missing: [], duplicates: [] });
  }, 90_000);
});
