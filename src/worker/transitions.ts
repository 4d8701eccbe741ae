import type { I18nText, StepState } from '../../cards/model.js';
import { inTransaction, type Pool, type PoolClient } from '../db/pool.js';
import type { ResolvedStep, Runbook, Target } from '../runbooks/types.js';
import {
  closePendingSteps,
  finishRun,
  finishStep,
  type StepFinish,
  skipStep,
  startStep,
} from '../runs/exec-repo.js';
import { planHashOf } from '../runs/ids.js';
import { Owed, patchUuid } from '../runs/outbox-writer.js';
import { planChangesOf, planChangesText } from '../runs/plan-changes.js';
import { rebindPlan } from '../runs/plan-repo.js';
import type { JobPort } from '../runs/ports.js';
import { getApprovals, getRun, getSteps, type RunRow, type StepRow } from '../runs/run-repo.js';
import { approvalOf } from '../runs/target-policy.js';
import { toRunView } from '../runs/view.js';
import type { PreflightResult } from './preflight.js';

/** Why the steps after a failed one are `skipped`. */
const NOT_RUN_AFTER_FAILURE: I18nText = {
  'zh-CN': '未执行：前面的步骤失败，运行已停止',
  'en-US': 'not run: an earlier step failed and the run stopped',
};

/**
 * The executor's writes: each is one transaction that changes state under the lease and owes the matching
 * thread reply and card update to Lark. Returns undefined when the lease was lost (someone else runs it).
 */
export class RunRecorder {
  constructor(
    private readonly pool: Pool,
    private readonly jobs: JobPort,
    private readonly runId: string,
    private readonly lease: string,
    private readonly onError: (error: unknown) => void,
    private readonly runnerId?: string,
  ) {}

  private async write<T>(
    work: (tx: PoolClient, owed: Owed) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    let owed!: Owed;
    const result = await inTransaction(this.pool, async (tx) => {
      owed = new Owed(tx);
      return work(tx, owed);
    });
    // Not awaited: a Redis outage must delay the cards, never the run; the rows are committed and the sweep
    // re-triggers them if this trigger is lost.
    void owed.flush(this.jobs, this.onError);
    return result;
  }

  private async view(tx: PoolClient, run?: RunRow) {
    const row = run ?? (await getRun(tx, this.runId));
    if (!row) throw new Error(`run ${this.runId} is gone`);
    return { row, view: toRunView(row, await getSteps(tx, this.runId), await getApprovals(tx, this.runId)) };
  }

  /** The progress card as the run starts (or resumes). */
  async started(): Promise<void> {
    await this.write(async (tx, owed) => {
      const { row, view } = await this.view(tx);
      await owed.runCard(view, row.chat_id, 'patch', patchUuid(this.runId));
      return true;
    });
  }

  /**
   * `interruptedAt`: this starts a re-run of a step whose worker was lost at that time; the started reply then
   * says so first (the step's `interruptedAt`), and the export's timeline records it.
   */
  async stepStarted(
    idx: number,
    from: readonly StepState[],
    interruptedAt?: Date,
  ): Promise<StepRow | undefined> {
    return this.write(async (tx, owed) => {
      const step = await startStep(tx, this.runId, idx, this.lease, from, interruptedAt, this.runnerId);
      if (!step) return undefined;
      const { row, view } = await this.view(tx);
      await owed.thread(
        view,
        row.chat_id,
        { render: 'step_started', stepIdx: idx },
        `${this.runId}-${idx}-s${step.attempt}`,
      );
      await owed.runCard(view, row.chat_id, 'patch', patchUuid(this.runId));
      return step;
    });
  }

  async stepFinished(idx: number, outcome: StepFinish): Promise<StepRow | undefined> {
    return this.write(async (tx, owed) => {
      const step = await finishStep(tx, this.runId, idx, this.lease, outcome);
      return step ? this.stepEnded(tx, owed, idx, step) : undefined;
    });
  }

  /** A step whose runbook condition does not hold: `skipped` with its reason, nothing spawned. */
  async stepSkipped(idx: number, reason: I18nText): Promise<StepRow | undefined> {
    return this.write(async (tx, owed) => {
      const step = await skipStep(tx, this.runId, idx, this.lease, reason);
      return step ? this.stepEnded(tx, owed, idx, step) : undefined;
    });
  }

  /** The end reply of a step (its state, result or reason) and the card, owed with the step's change. */
  private async stepEnded(tx: PoolClient, owed: Owed, idx: number, step: StepRow): Promise<StepRow> {
    const { row, view } = await this.view(tx);
    await owed.thread(
      view,
      row.chat_id,
      { render: 'step_finished', stepIdx: idx },
      `${this.runId}-${idx}-e${step.attempt}`,
    );
    await owed.runCard(view, row.chat_id, 'patch', patchUuid(this.runId));
    return step;
  }

  /**
   * The state drifted since approval: back to awaiting approval under a new plan bound to what is observed
   * now; the thread says what changed, the card offers Approve again. Steps already done stay done.
   */
  async rebind(
    runbook: Runbook,
    target: Target,
    run: RunRow,
    steps: ResolvedStep[],
    now: PreflightResult,
    nowMs: number,
  ): Promise<boolean> {
    const hash = planHashOf(runbook.hash, target.id, run.params, steps, now.observed);
    const fresh = new Map(now.lines.map((l) => [l.id, l]));
    const preflight = (run.view.preflight ?? []).map((line) => fresh.get(line.id) ?? line);
    const planChanges = planChangesOf(run.view.preflight ?? [], now.lines);
    const expiresAt = new Date(nowMs + approvalOf(runbook, target).expiresInSeconds * 1000);
    const done = await this.write(async (tx, owed) => {
      const moved = await rebindPlan(
        tx,
        this.runId,
        this.lease,
        hash,
        { ...run.view, preflight, observed: now.observed, planChanges },
        expiresAt,
      );
      if (!moved) return undefined;
      const { view } = await this.view(tx, moved);
      const text = planChangesText(planChanges);
      await owed.thread(view, moved.chat_id, { render: 'text', text }, patchUuid(this.runId));
      await owed.runCard(view, moved.chat_id, 'patch', patchUuid(this.runId));
      return true;
    });
    if (done) await this.jobs.expireAt(this.runId, expiresAt).catch(this.onError);
    return done === true;
  }

  /** End the run (or pause it); the target is freed in this same transaction by the state change. */
  async finished(
    state: 'succeeded' | 'failed' | 'cancelled' | 'paused',
    reason: string | null,
    notice?: { zh: string; en: string },
  ): Promise<boolean> {
    const done = await this.write(async (tx, owed) => {
      if (state !== 'paused')
        await closePendingSteps(
          tx,
          this.runId,
          state === 'cancelled' ? 'cancelled' : 'skipped',
          state === 'failed' ? NOT_RUN_AFTER_FAILURE : undefined,
        );
      const run = await finishRun(tx, this.runId, this.lease, state, reason);
      if (!run) return undefined;
      const { view } = await this.view(tx, run);
      if (notice) {
        const text = { 'zh-CN': notice.zh, 'en-US': notice.en };
        await owed.thread(
          view,
          run.chat_id,
          { render: 'text', text },
          `${this.runId}-n-${patchUuid('').slice(3)}`,
        );
      }
      if (state !== 'paused')
        await owed.thread(view, run.chat_id, { render: 'summary' }, `${this.runId}-summary`);
      await owed.runCard(view, run.chat_id, 'patch', patchUuid(this.runId));
      return true;
    });
    return done === true;
  }
}
