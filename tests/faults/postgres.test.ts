import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, buttonValues, LEAD_A, LEAD_B, startBot } from './helpers/bot.js';
import { type OwnPostgres, startOwnPostgres } from './helpers/infra.js';
import { eventually, sleep } from './helpers/procs.js';
import { checkThread, ended, started, succeeded, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 5: Postgres restarts (our own cluster, never the shared one) while two runs are in a step
 * and Lark is answering slowly (so deliveries hold their connections across the restart). /health/ready says
 * 503 (postgres down) and then 200 again; the server and worker processes stay up; the step that ended while
 * Postgres was away could not be recorded, so the runs go on per the rules: the idempotent step is re-run,
 * the non-idempotent one is `interrupted` and its run `paused` until a Tech Lead's Retry.
 */

let pgc: OwnPostgres;
let bot: Bot;

beforeAll(async () => {
  pgc = await startOwnPostgres();
  bot = await startBot({ adminUrl: pgc.adminUrl });
  await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
  await pgc?.close();
}, 60_000);

async function ready(): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${bot.serverUrl}/health/ready`);
  const body = (await response.json()) as { checks: Record<string, string> };
  return { status: response.status, checks: body.checks };
}

/**
 * `downAfterMs`: how long Postgres stays away after both steps ended. Short: a retry of the execute job finds it
 * back. Long: the job's retries are spent while it is away, and only the sweep (lapsed lease) picks the runs up.
 */
async function restartDuringSteps(downAfterMs: number, targets: [string, string]): Promise<number> {
  expect((await ready()).status).toBe(200);
  const a = await bot.request(`/rollback crash-idem ${targets[0]} ms=4000`);
  await bot.approve(a, LEAD_A);
  const b = await bot.request(`/rollback crash ${targets[1]} ms=4000`);
  await bot.approve(b, LEAD_A);
  await bot.waitStepStart(a.run, 'work');
  await bot.waitStepStart(b.run, 'mutate');

  bot.sandbox.faults.set({ probability: 1, kinds: ['slow'], slowMs: 2000 });
  await pgc.stop();
  const down = await eventually(
    async () => {
      const r = await ready();
      return r.status === 503 ? r : undefined;
    },
    15_000,
    '/health/ready to say 503',
  );
  expect(down.checks.postgres).toBe('down');
  expect(down.checks.redis).toBe('up');
  // Both steps end while Postgres is away: their ends cannot be recorded.
  await eventually(
    () =>
      bot.markers(a.run).some((l) => l.startsWith('end work ')) &&
      bot.markers(b.run).some((l) => l.startsWith('end mutate ')),
    15_000,
    'both steps to end',
  );
  await sleep(downAfterMs);
  await pgc.start();
  const back = Date.now();
  bot.sandbox.faults.clear();
  const up = await eventually(
    async () => {
      const r = await ready().catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    },
    30_000,
    '/health/ready to say 200 again',
  );
  expect(up.checks).toEqual({ postgres: 'up', migrations: 'up', redis: 'up' });

  // The idempotent step is simply run again; the run completes without anyone.
  await bot.waitRun(a.run, 'succeeded', 60_000);
  const recoveredMs = Date.now() - back;
  expect(bot.markers(a.run).filter((l) => l.startsWith('start work '))).toHaveLength(2);
  expect((await bot.steps(a.run)).map((s) => [s.step_id, s.state, s.attempt])).toEqual([
    ['prep', 'succeeded', 1],
    ['work', 'succeeded', 2],
    ['finish', 'succeeded', 1],
  ]);

  // The non-idempotent one is never re-run on its own: the run pauses and asks.
  const paused = await bot.waitRun(b.run, 'paused', 60_000);
  expect(paused.reason).toMatch(/mutate was interrupted/);
  expect((await bot.steps(b.run)).map((s) => s.state)).toEqual(['succeeded', 'interrupted', 'pending']);
  expect(bot.markers(b.run).filter((l) => l.startsWith('start mutate '))).toHaveLength(1);
  const retry = await bot.sandbox.waitFor(() => buttonValues(bot.cardJson(b.card)).retry, 30_000);
  expect(retry).toEqual({ action: 'retry', run: b.run, plan: '1' });
  const clicked = await bot.sandbox.click({
    operatorOpenId: LEAD_B,
    messageId: b.card.messageId,
    value: retry,
  });
  expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
  await bot.waitRun(b.run, 'succeeded', 30_000);
  expect(bot.markers(b.run).filter((l) => l.startsWith('start mutate '))).toHaveLength(2);

  // Neither process crashed.
  expect(bot.server.exit).toBeUndefined();
  expect(bot.workers.map((w) => w.exit)).toEqual([undefined]);

  // And Lark got every line, in order, once.
  await bot.waitCardOutcome(a.card, 'Succeeded');
  await bot.waitCardOutcome(b.card, 'Succeeded');
  await bot.waitOutboxSettled(a.run);
  await bot.waitOutboxSettled(b.run);
  expect(
    checkThread(bot.thread(a.card), [
      started('Prepare'),
      succeeded('Prepare'),
      started('Idempotent work'),
      started('Idempotent work'),
      succeeded('Idempotent work'),
      started('Finish'),
      succeeded('Finish'),
      summary('Succeeded', 'Idempotent crash test'),
    ]),
  ).toEqual({ missing: [], duplicates: [] });
  expect(
    checkThread(bot.thread(b.card), [
      started('Prepare'),
      succeeded('Prepare'),
      started('Mutate'),
      ended('Mutate', 'interrupted'),
      started('Mutate'),
      succeeded('Mutate'),
      started('Finish'),
      succeeded('Finish'),
      summary('Succeeded', 'Crash test'),
    ]),
  ).toEqual({ missing: [], duplicates: [] });
  return recoveredMs;
}

describe('Postgres restarted during runs', () => {
  it('goes not-ready and back, crashes nothing, and resumes or pauses each run per the rules', async () => {
    const recoveredMs = await restartDuringSteps(1000, ['t1', 't2']);
    console.log(
      `[faults] Postgres back for 1 s after the steps ended: idempotent run done ${recoveredMs} ms later`,
    );
  }, 90_000);

  it('the same when Postgres stays away until the execute jobs have given up (the sweep picks them up)', async () => {
    const recoveredMs = await restartDuringSteps(6000, ['t3', 't4']);
    console.log(
      `[faults] Postgres back 6 s after the steps ended: idempotent run done ${recoveredMs} ms later`,
    );
  }, 120_000);
});
