import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, buttonValues, LEAD_A, ONCALL, startBot } from './helpers/bot.js';
import { eventually, liveInGroup, processGone } from './helpers/procs.js';
import { checkThread, ended, started, succeeded, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 6: cancel that knows steps. `/rollback cancel` lets the running step finish and stops
 * before the next; the card's "Stop now" kills the running step's whole process group. Either way the record
 * is consistent: the run `cancelled`, the running step `succeeded` (after step) or `cancelled` (now), the steps
 * that never ran `cancelled`.
 */

let bot: Bot;

beforeAll(async () => {
  bot = await startBot();
  await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

describe('cancel', () => {
  it('/rollback cancel stops after the running step', async () => {
    const req = await bot.request('/rollback long t1 ms=3000');
    await bot.approve(req, LEAD_A);
    const pid = await bot.waitStepStart(req.run, 'long');
    const child = bot.childOf(req.run, 'long');
    expect(await bot.say('/rollback cancel')).toBe(`Run ${req.run} will stop after the current step.`);
    // The card says so and drops "Stop after this step" while the step still runs.
    await bot.sandbox.waitFor(
      () => bot.cardJson(req.card).includes('Stopping after the current step') || undefined,
      20_000,
    );
    expect(buttonValues(bot.cardJson(req.card)).cancel_after_step).toBeUndefined();

    const run = await bot.waitRun(req.run, 'cancelled', 30_000);
    expect(run.finished_at).not.toBeNull();
    expect(run.reason).toMatch(/cancelled before this step/);
    const steps = await bot.steps(req.run);
    expect(steps.map((s) => [s.step_id, s.state])).toEqual([
      ['first', 'succeeded'],
      ['long', 'succeeded'],
      ['last', 'cancelled'],
    ]);
    // The step ran to its end; the next never started.
    expect(bot.markers(req.run).filter((l) => /^(start|end) long /.test(l))).toHaveLength(2);
    expect(bot.markers(req.run).some((l) => l.startsWith('start last '))).toBe(false);
    // What the step left in its group went with it.
    await eventually(() => liveInGroup(pid).length === 0, 15_000, `group ${pid} to be gone`);
    expect(child !== undefined && processGone(child)).toBe(true);

    await bot.waitCardOutcome(req.card, 'Cancelled');
    await bot.waitOutboxSettled(req.run);
    const expected = [
      started('First'),
      succeeded('First'),
      started('Long'),
      succeeded('Long'),
      summary('Cancelled', 'Long step'),
    ];
    expect(checkThread(bot.thread(req.card), expected)).toEqual({ missing: [], duplicates: [] });
  }, 60_000);

  it("the card's Stop after this step changes the card at once and the run ends cancelled", async () => {
    const req = await bot.request('/rollback long t4 ms=4000');
    await bot.approve(req, LEAD_A);
    await bot.waitStepStart(req.run, 'long');
    const value = await bot.sandbox.waitFor(
      () => buttonValues(bot.cardJson(req.card)).cancel_after_step,
      20_000,
    );
    const clicked = await bot.sandbox.click({ operatorOpenId: ONCALL, messageId: req.card.messageId, value });
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
    // The card that answers the click: it will stop, the after-step button is gone, Stop now stays.
    const now = bot.cardJson(req.card);
    expect(now).toContain('Stopping after the current step');
    expect(now).toContain('将在当前步骤完成后停止');
    expect(now).toContain('<at id=ou_oncall></at>');
    expect(Object.keys(buttonValues(now)).sort()).toEqual(['cancel_now']);
    expect(now).toContain('Stop now');
    expect(now).not.toContain('Cancel now');

    const run = await bot.waitRun(req.run, 'cancelled', 30_000);
    expect(run.reason).toMatch(/cancelled before this step/);
    const steps = await bot.steps(req.run);
    expect(steps.map((s) => [s.step_id, s.state])).toEqual([
      ['first', 'succeeded'],
      ['long', 'succeeded'],
      ['last', 'cancelled'],
    ]);
    await bot.waitCardOutcome(req.card, 'Cancelled');
  }, 60_000);

  it("the card's Stop now kills the running step and its process group", async () => {
    const req = await bot.request('/rollback long t2');
    await bot.approve(req, LEAD_A);
    const pid = await bot.waitStepStart(req.run, 'long');
    const child = bot.childOf(req.run, 'long');
    expect(child).toBeDefined();
    expect(liveInGroup(pid).length).toBeGreaterThanOrEqual(2);
    // The progress card offers Stop now while the step runs.
    const value = await bot.sandbox.waitFor(() => buttonValues(bot.cardJson(req.card)).cancel_now, 20_000);
    expect(value).toEqual({ action: 'cancel_now', run: req.run });
    const clicked = await bot.sandbox.click({ operatorOpenId: LEAD_A, messageId: req.card.messageId, value });
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');

    const run = await bot.waitRun(req.run, 'cancelled', 30_000);
    expect(run.finished_at).not.toBeNull();
    const steps = await bot.steps(req.run);
    expect(steps.map((s) => [s.step_id, s.state])).toEqual([
      ['first', 'succeeded'],
      ['long', 'cancelled'],
      ['last', 'cancelled'],
    ]);
    await eventually(() => liveInGroup(pid).length === 0, 15_000, `group ${pid} to be gone`);
    expect(processGone(pid) && child !== undefined && processGone(child)).toBe(true);
    expect(bot.markers(req.run).some((l) => l.startsWith('end long '))).toBe(false);
    expect(bot.markers(req.run).some((l) => l.startsWith('start last '))).toBe(false);

    await bot.waitCardOutcome(req.card, 'Cancelled');
    await bot.waitOutboxSettled(req.run);
    const expected = [
      started('First'),
      succeeded('First'),
      started('Long'),
      /^Stop now requested by @ou_lead_a\.$/,
      ended('Long', 'cancelled'),
      summary('Cancelled', 'Long step'),
    ];
    expect(checkThread(bot.thread(req.card), expected)).toEqual({ missing: [], duplicates: [] });
  }, 60_000);

  it('/rollback cancel now from the chat does the same', async () => {
    const req = await bot.request('/rollback long t3');
    await bot.approve(req, LEAD_A);
    const pid = await bot.waitStepStart(req.run, 'long');
    expect(await bot.say(`/rollback cancel ${req.run} now`)).toBe(`Stopping run ${req.run} now.`);
    await bot.waitRun(req.run, 'cancelled', 30_000);
    const steps = await bot.steps(req.run);
    expect(steps.map((s) => s.state)).toEqual(['succeeded', 'cancelled', 'cancelled']);
    await eventually(() => liveInGroup(pid).length === 0, 15_000, `group ${pid} to be gone`);
    await bot.waitCardOutcome(req.card, 'Cancelled');
  }, 60_000);
});
