import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, buttonValues, LEAD_A, LEAD_B, startBot } from './helpers/bot.js';
import { eventually, liveInGroup } from './helpers/procs.js';
import { checkThread, ended, started, succeeded, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 7: SIGTERM to a worker process during a long step, with SHUTDOWN_DEADLINE_MS small. The
 * step is killed when the deadline passes (its whole process group), recorded `interrupted`, the run `paused`;
 * the worker exits 0 soon after. A new worker then shows the paused card, and a Tech Lead decides.
 */

const DEADLINE_MS = 1000;
/** SIGTERM → SIGKILL grace of a step's process group (spawn-step's default). */
const KILL_GRACE_MS = 3000;

let bot: Bot;

beforeAll(async () => {
  bot = await startBot({ env: { SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS) } });
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

async function sigtermDuringLong(runbook: 'long' | 'stubborn', target: string) {
  const worker = await bot.startWorker();
  const req = await bot.request(`/rollback ${runbook} ${target}`);
  await bot.approve(req, LEAD_A);
  const pid = await bot.waitStepStart(req.run, 'long');
  expect(liveInGroup(pid).length).toBeGreaterThanOrEqual(2);
  const sent = Date.now();
  worker.kill('SIGTERM');
  const exit = await worker.exited;
  const tookMs = Date.now() - sent;
  expect(exit).toEqual({ code: 0, signal: null });

  const run = await bot.run(req.run);
  expect(run.state).toBe('paused');
  expect(run.reason).toMatch(/step long was interrupted by a worker shutdown/);
  const steps = await bot.steps(req.run);
  expect(steps.map((s) => [s.step_id, s.state])).toEqual([
    ['first', 'succeeded'],
    ['long', 'interrupted'],
    ['last', 'pending'],
  ]);
  await eventually(() => liveInGroup(pid).length === 0, 10_000, `group ${pid} to be gone`);
  expect(bot.markers(req.run).some((l) => l.startsWith('end long '))).toBe(false);
  return { req, tookMs };
}

describe('SIGTERM to the worker during a step', () => {
  it('kills the step at the deadline, records it interrupted, pauses the run, exits 0', async () => {
    const { req, tookMs } = await sigtermDuringLong('long', 't1');
    console.log(`[faults] SIGTERM: worker exited 0 after ${tookMs} ms (deadline ${DEADLINE_MS} ms)`);
    expect(tookMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(tookMs).toBeLessThan(DEADLINE_MS + 6000);

    // A new worker delivers what the old one owed: the paused card, and the thread says what happened.
    await bot.startWorker();
    const buttons = await bot.sandbox.waitFor(() => {
      const values = buttonValues(bot.cardJson(req.card));
      return values.abort ? values : undefined;
    }, 20_000);
    expect(buttons.retry).toEqual({ action: 'retry', run: req.run, plan: '1' });
    await bot.sandbox.waitFor(() => bot.thread(req.card).some((t) => ended('Long', 'interrupted').test(t)));
    // Nothing re-ran it on its own.
    expect((await bot.run(req.run)).state).toBe('paused');
    expect(bot.markers(req.run).filter((l) => l.startsWith('start long '))).toHaveLength(1);

    const clicked = await bot.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: req.card.messageId,
      value: buttons.abort,
    });
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
    await bot.waitRun(req.run, 'cancelled', 20_000);
    expect((await bot.steps(req.run)).map((s) => s.state)).toEqual(['succeeded', 'interrupted', 'cancelled']);
    await bot.waitCardOutcome(req.card, 'Cancelled');
    await bot.waitOutboxSettled(req.run);
    const expected = [
      started('First'),
      succeeded('First'),
      started('Long'),
      ended('Long', 'interrupted'),
      summary('Cancelled', 'Long step'),
    ];
    expect(checkThread(bot.thread(req.card), expected)).toEqual({ missing: [], duplicates: [] });
    for (const w of bot.workers.filter((w) => !w.exit)) {
      w.kill('SIGTERM');
      expect(await w.exited).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('escalates to SIGKILL for a step that ignores SIGTERM, and still exits 0', async () => {
    const { tookMs } = await sigtermDuringLong('stubborn', 't2');
    console.log(
      `[faults] SIGTERM (step ignores SIGTERM): worker exited 0 after ${tookMs} ms ` +
        `(deadline ${DEADLINE_MS} ms + kill grace ${KILL_GRACE_MS} ms)`,
    );
    expect(tookMs).toBeGreaterThanOrEqual(DEADLINE_MS + KILL_GRACE_MS - 50);
    expect(tookMs).toBeLessThan(DEADLINE_MS + KILL_GRACE_MS + 6000);
  }, 90_000);
});
