import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, buttonValues, LEAD_A, LEAD_B, startBot } from './helpers/bot.js';
import { type BotProcess, eventually, killGroup, liveInGroup, parentOf } from './helpers/procs.js';

/**
 * Issue 12: a runner killed mid-step is taken over by another runner of the same pool, under the lease rules
 * (a non-idempotent step pauses; Retry runs it again), and never by a runner of another pool.
 */

let bot: Bot;
let a1: BotProcess;
let a2: BotProcess;
let b: BotProcess;

beforeAll(async () => {
  bot = await startBot({ env: { TARGETS_FILE: 'tests/fixtures/pool-fault/targets.yaml' } });
  a1 = await bot.startWorker({ WORKER_POOLS: 'pool-a' });
  b = await bot.startWorker({ WORKER_POOLS: 'pool-b' });
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

/** The pools of the runners that ran each step of the run, in step order. */
async function poolsOfSteps(runId: string): Promise<string[][]> {
  const r = await bot.pool.query(
    `SELECT r.pools FROM steps s LEFT JOIN runners r ON r.id = s.runner_id WHERE s.run_id = $1 AND s.runner_id IS NOT NULL
     ORDER BY s.idx`,
    [runId],
  );
  return r.rows.map((row) => row.pools ?? ['(runner gone)']);
}

describe('a runner killed during a non-idempotent step', () => {
  it("pauses the run; Retry runs the step on the pool's other runner, never on another pool's", async () => {
    const req = await bot.request('/rollback crash t1 ms=5000');
    await bot.approve(req, LEAD_A);
    const pid = await bot.waitStepStart(req.run, 'mutate');
    expect(parentOf(pid)).toBe(a1.pid);
    a2 = await bot.startWorker({ WORKER_POOLS: 'pool-a' });
    a1.kill('SIGKILL');
    killGroup(pid);
    await a1.exited;
    await eventually(() => liveInGroup(pid).length === 0, 10_000, 'the step group to be gone');

    await bot.waitRun(req.run, 'paused', 30_000);
    const buttons = await bot.sandbox.waitFor(() => {
      const values = buttonValues(bot.cardJson(req.card));
      return values.retry ? values : undefined;
    }, 20_000);
    const clicked = await bot.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: req.card.messageId,
      value: buttons.retry,
    });
    expect(clicked.toast?.type).toBe('success');
    const again = await bot.waitStepStart(req.run, 'mutate', 2, 20_000);
    expect(parentOf(again)).toBe(a2.pid);
    await bot.waitRun(req.run, 'succeeded', 30_000);
    // Each step records the runner that ran it: all of pool-a (a1's row stays, stale, after its death).
    expect(await poolsOfSteps(req.run)).toEqual([['pool-a'], ['pool-a'], ['pool-a']]);
    expect(b.exit).toBeUndefined();
  }, 120_000);
});
