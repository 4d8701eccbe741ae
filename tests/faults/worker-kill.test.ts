import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, getSteps, type RunRow } from '../../src/runs/run-repo.js';
import { timelineRows } from '../../src/runs/timeline.js';
import { toRunView } from '../../src/runs/view.js';
import { type Bot, buttonValues, LEAD_A, LEAD_B, type Requested, startBot } from './helpers/bot.js';
import { type BotProcess, eventually, killGroup, liveInGroup, parentOf } from './helpers/procs.js';
import { checkThread, ended, started, succeeded, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 1: the worker process dies (SIGKILL, as when its machine dies) while a step runs.
 * A non-idempotent step must never run again without a person's Retry; an idempotent one is simply re-run.
 * The step's process group is killed with the worker: it would die with the machine, and it is detached from
 * the worker, so it could otherwise finish on its own.
 */

const TRIALS = Number(process.env.FAULT_KILL_TRIALS ?? 20);
const IDEMPOTENT_TRIALS = Number(process.env.FAULT_KILL_IDEMPOTENT_TRIALS ?? 3);
/** Runs in flight (on different targets) each time the worker is killed. */
const RUNS_PER_KILL = 2;

let bot: Bot;
let worker: BotProcess;

beforeAll(async () => {
  bot = await startBot();
  worker = await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

/** SIGKILL the worker that runs the steps `stepPids`, and each step's process group; start a new worker. */
async function killWorkerDuring(stepPids: number[]): Promise<void> {
  // Each step is the worker's child: make sure we kill the worker that runs them.
  for (const pid of stepPids) expect(parentOf(pid)).toBe(worker.pid);
  worker.kill('SIGKILL');
  for (const pid of stepPids) killGroup(pid);
  await worker.exited;
  expect(worker.exit?.signal).toBe('SIGKILL');
  for (const pid of stepPids)
    await eventually(() => liveInGroup(pid).length === 0, 10_000, `step group ${pid} to be gone`);
  worker = await bot.startWorker();
}

/** The line before a re-run's "started" (issue 9 item 15). */
const RERUN =
  /^⚠ The previous attempt was interrupted: its worker was lost at \d\d:\d\d:\d\d \(T\+\d\d:\d\d\)\. The step is idempotent, so it is safe to run it again\.\n▶ .* · Idempotent work — started$/;

const startsOf = (bot: Bot, run: string, step: string) =>
  bot.markers(run).filter((l) => l.startsWith(`start ${step} `)).length;

interface Tally {
  trials: number;
  /** A non-idempotent step started again without a click. */
  duplicates: number;
  /** Thread lines that never reached Lark (or arrived out of order). */
  losses: number;
  /** Thread lines that reached Lark twice. */
  duplicateLines: number;
  notes: string[];
}

/** After the kill: the run pauses, the card asks, a Tech Lead retries, the run completes. */
async function pausedThenRetried(req: Requested): Promise<Omit<Tally, 'trials'>> {
  const out: Omit<Tally, 'trials'> = { duplicates: 0, losses: 0, duplicateLines: 0, notes: [] };
  const paused = await bot.waitRun(req.run, 'paused', 30_000);
  expect(paused.reason).toMatch(/mutate was interrupted .* not idempotent/);
  const steps = await bot.steps(req.run);
  expect(steps.map((s) => [s.step_id, s.state, s.attempt])).toEqual([
    ['prep', 'succeeded', 1],
    ['mutate', 'interrupted', 1],
    ['finish', 'pending', 0],
  ]);
  // The card becomes the paused card, offering Retry / Skip / Abort for step idx 1.
  const buttons = await bot.sandbox.waitFor(() => {
    const values = buttonValues(bot.cardJson(req.card));
    return values.retry ? values : undefined;
  }, 20_000);
  expect(buttons.retry).toEqual({ action: 'retry', run: req.run, plan: '1' });
  expect(buttons.skip).toEqual({ action: 'skip', run: req.run, plan: '1' });
  expect(buttons.abort).toEqual({ action: 'abort', run: req.run, plan: '1' });
  expect(bot.cardJson(req.card)).toContain('not idempotent');
  // The thread says what happened.
  await bot.sandbox.waitFor(() => bot.thread(req.card).some((t) => ended('Mutate', 'interrupted').test(t)));
  // No re-run without a click.
  const beforeClick = startsOf(bot, req.run, 'mutate');
  if (beforeClick !== 1) out.duplicates += beforeClick - 1;

  const clicked = await bot.sandbox.click({
    operatorOpenId: LEAD_B,
    messageId: req.card.messageId,
    value: buttons.retry,
  });
  expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
  await bot.waitRun(req.run, 'succeeded', 30_000);
  expect(startsOf(bot, req.run, 'mutate')).toBe(2);
  expect(bot.markers(req.run).filter((l) => l.startsWith('end mutate '))).toHaveLength(1);
  const final = await bot.steps(req.run);
  expect(final.map((s) => [s.step_id, s.state, s.attempt])).toEqual([
    ['prep', 'succeeded', 1],
    ['mutate', 'succeeded', 2],
    ['finish', 'succeeded', 1],
  ]);

  const expected = [
    started('Prepare'),
    succeeded('Prepare'),
    started('Mutate'),
    ended('Mutate', 'interrupted'),
    /^Retry of step 2 chosen by @ou_lead_b\.$/,
    started('Mutate'),
    succeeded('Mutate'),
    started('Finish'),
    succeeded('Finish'),
    summary('Succeeded', 'Crash test'),
  ];
  const summaryLine = expected.at(-1) as RegExp;
  await bot.sandbox
    .waitFor(() => bot.thread(req.card).some((t) => summaryLine.test(t)), 20_000)
    .catch(() => undefined);
  const check = checkThread(bot.thread(req.card), expected);
  out.losses += check.missing.length;
  out.duplicateLines += check.duplicates.length;
  if (check.missing.length || check.duplicates.length)
    out.notes.push(`${req.run}: ${JSON.stringify(check)} in ${bot.thread(req.card)}`);
  // The card ends as the summary.
  await bot.waitCardOutcome(req.card, 'Succeeded');
  return out;
}

describe('worker killed with SIGKILL during a step', () => {
  it(`pauses on an interrupted non-idempotent step and re-runs it only on Retry (${TRIALS} runs)`, async () => {
    const tally: Tally = { trials: 0, duplicates: 0, losses: 0, duplicateLines: 0, notes: [] };
    let kills = 0;
    while (tally.trials < TRIALS) {
      // Several runs in flight on the worker when it dies (one per target), each a trial of its own.
      const reqs: Requested[] = [];
      for (let i = 1; i <= Math.min(RUNS_PER_KILL, TRIALS - tally.trials); i++) {
        const req = await bot.request(`/rollback crash t${i} ms=5000`);
        await bot.approve(req, LEAD_A);
        reqs.push(req);
      }
      const pids = await Promise.all(reqs.map((req) => bot.waitStepStart(req.run, 'mutate')));
      for (const req of reqs)
        expect((await bot.steps(req.run)).map((s) => s.state)).toEqual(['succeeded', 'running', 'pending']);
      await killWorkerDuring(pids);
      kills += 1;
      for (const result of await Promise.all(reqs.map(pausedThenRetried))) {
        tally.trials += 1;
        tally.duplicates += result.duplicates;
        tally.losses += result.losses;
        tally.duplicateLines += result.duplicateLines;
        tally.notes.push(...result.notes);
      }
    }
    console.log(`[faults] SIGKILL non-idempotent (${kills} kills): ${JSON.stringify(tally)}`);
    expect(tally).toEqual({ trials: TRIALS, duplicates: 0, losses: 0, duplicateLines: 0, notes: [] });
  }, 170_000);

  it(`re-runs an interrupted idempotent step without a click (${IDEMPOTENT_TRIALS} trials)`, async () => {
    const tally: Tally = { trials: 0, duplicates: 0, losses: 0, duplicateLines: 0, notes: [] };
    for (let trial = 1; trial <= IDEMPOTENT_TRIALS; trial++) {
      const req = await bot.request('/rollback crash-idem');
      await bot.approve(req, LEAD_A);
      const pid = await bot.waitStepStart(req.run, 'work');
      await killWorkerDuring([pid]);
      await bot.waitRun(req.run, 'succeeded', 30_000);
      expect(startsOf(bot, req.run, 'work')).toBe(2);
      const steps = await bot.steps(req.run);
      expect(steps.map((s) => [s.step_id, s.state, s.attempt])).toEqual([
        ['prep', 'succeeded', 1],
        ['work', 'succeeded', 2],
        ['finish', 'succeeded', 1],
      ]);
      const expected = [
        started('Prepare'),
        succeeded('Prepare'),
        started('Idempotent work'),
        started('Idempotent work'),
        succeeded('Idempotent work'),
        started('Finish'),
        succeeded('Finish'),
        summary('Succeeded', 'Idempotent crash test'),
      ];
      const summaryLine = expected.at(-1) as RegExp;
      await bot.sandbox
        .waitFor(() => bot.thread(req.card).some((t) => summaryLine.test(t)), 20_000)
        .catch(() => undefined);
      const check = checkThread(bot.thread(req.card), expected);
      // The second start says why the step runs again: the first attempt's worker was lost, the step is safe.
      const starts = bot.thread(req.card).filter((t) => started('Idempotent work').test(t));
      expect(starts[0]).not.toMatch(/interrupted/);
      expect(starts[1]).toMatch(RERUN);
      const rows = await getSteps(bot.pool, req.run);
      expect(rows[1]?.interrupted_at).toBeInstanceOf(Date);
      const timeline = timelineRows(toRunView((await getRun(bot.pool, req.run)) as RunRow, rows, []), {
        timezone: 'UTC',
      });
      const lost = timeline.findIndex((r) => r.event === 'step_interrupted' && r.step === 'work');
      expect(timeline[lost]?.detail).toBe('worker lost; re-run (idempotent)');
      expect(timeline[lost + 1]).toMatchObject({ event: 'step_started', step: 'work' });
      tally.trials += 1;
      tally.losses += check.missing.length;
      tally.duplicateLines += check.duplicates.length;
      if (check.missing.length || check.duplicates.length)
        tally.notes.push(`trial ${trial} ${req.run}: ${JSON.stringify(check)} in ${bot.thread(req.card)}`);
    }
    console.log(`[faults] SIGKILL idempotent: ${JSON.stringify(tally)}`);
    expect(tally).toEqual({
      trials: IDEMPOTENT_TRIALS,
      duplicates: 0,
      losses: 0,
      duplicateLines: 0,
      notes: [],
    });
  }, 60_000);

  it('a worker frozen past its lock loses the run to another, and then stops its step itself', async () => {
    // SIGSTOP: the worker is alive but silent (a VM freeze, a long GC pause), longer than WORKER_LOCK_MS.
    const other = await bot.startWorker();
    const req = await bot.request('/rollback crash ms=15000');
    await bot.approve(req, LEAD_A);
    const pid = await bot.waitStepStart(req.run, 'mutate');
    const frozen = [worker, other].find((w) => w.pid === parentOf(pid));
    const survivor = frozen === worker ? other : worker;
    expect(frozen).toBeDefined();
    frozen?.kill('SIGSTOP');
    try {
      // The other worker takes the stalled job over; the step is not idempotent, so the run pauses.
      await bot.waitRun(req.run, 'paused', 30_000);
    } finally {
      frozen?.kill('SIGCONT');
    }
    expect((await bot.steps(req.run)).map((s) => s.state)).toEqual(['succeeded', 'interrupted', 'pending']);
    // Awake again, the frozen worker finds its lease taken and kills its step rather than finish it unseen.
    await eventually(() => liveInGroup(pid).length === 0, 10_000, `step group ${pid} to be stopped`);
    expect(bot.markers(req.run).some((l) => l.startsWith('end mutate '))).toBe(false);
    expect(frozen?.exit).toBeUndefined();
    expect(startsOf(bot, req.run, 'mutate')).toBe(1);

    const retry = await bot.sandbox.waitFor(() => buttonValues(bot.cardJson(req.card)).retry, 20_000);
    const clicked = await bot.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: req.card.messageId,
      value: retry,
    });
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
    await bot.waitRun(req.run, 'succeeded', 30_000);
    expect(startsOf(bot, req.run, 'mutate')).toBe(2);
    worker = survivor;
    frozen?.kill('SIGTERM');
    await frozen?.exited;
  }, 90_000);
});
