import type { RunView } from '../../cards/model.js';
import type { Queryable } from '../db/pool.js';
import { argvDowngrades } from '../runbooks/runbook-file.js';
import { nextStepsFor } from './next-steps.js';
import type { ApprovalRow, RunRow, StepRow } from './run-repo.js';
import { getApprovals, getRun, getSteps } from './run-repo.js';

const iso = (d: Date | null | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined);

/** The card view of a run: a pure projection of its rows. Output tails are stored redacted already. */
export function toRunView(run: RunRow, steps: StepRow[], approvals: ApprovalRow[]): RunView {
  const view: RunView = {
    runId: run.id,
    runbookId: run.runbook_id,
    title: run.view.title,
    targetId: run.target_id,
    params: run.params,
    state: run.state,
    requesterOpenId: run.requester_open_id,
    approvals: approvals.map((a) => ({
      openId: a.approver_open_id,
      decision: a.decision,
      at: iso(a.created_at) ?? '',
      // Rows without a plan hash (older callers) count; an approval of an earlier plan is void.
      ...(a.plan_hash !== undefined && a.plan_hash !== run.plan_hash ? { void: true } : {}),
    })),
    quorum: run.quorum,
    fourEyes: run.four_eyes,
    planHash: run.plan_hash,
    createdAt: iso(run.created_at) ?? '',
    steps: steps.map((s) => ({
      idx: s.idx,
      id: s.step_id,
      title: s.title,
      state: s.state,
      idempotent: s.idempotent,
      ...(s.started_at ? { startedAt: iso(s.started_at) } : {}),
      ...(s.finished_at ? { finishedAt: iso(s.finished_at) } : {}),
      ...(s.exit_code !== null ? { exitCode: s.exit_code } : {}),
      ...(s.output_tail ? { outputTail: s.output_tail } : {}),
      ...(s.result ? { result: s.result } : {}),
      ...(s.interrupted_at ? { interruptedAt: iso(s.interrupted_at) } : {}),
    })),
  };
  if (run.expires_at) view.expiresAt = iso(run.expires_at);
  if (run.started_at) view.startedAt = iso(run.started_at);
  if (run.start_at) view.startAt = iso(run.start_at);
  if (run.finished_at) view.finishedAt = iso(run.finished_at);
  if (run.view.rtoSeconds !== undefined) view.rtoSeconds = run.view.rtoSeconds;
  if (run.view.preflight) view.preflight = run.view.preflight;
  if (run.view.notices?.length) view.notices = run.view.notices;
  if (run.reason) view.reason = run.reason;
  if (run.actor_open_id) view.actorOpenId = run.actor_open_id;
  if (run.view.approvers) view.approverOpenIds = run.view.approvers;
  if (run.view.planChanges?.length) view.planChanges = run.view.planChanges;
  if (run.view.durations) view.durations = run.view.durations;
  if (run.view.approvalNotNeeded) view.approvalNotNeeded = true;
  if (run.runner_pool && run.runner_pool !== 'default') view.runnerPool = run.runner_pool;
  if (run.view.waitingForRunner && ['requested', 'awaiting_approval', 'queued'].includes(run.state)) {
    view.waitingForRunner = run.view.waitingForRunner;
  }
  if (run.state === 'failed' && preflightFailedBeforeAnyStep(run, steps)) view.preflightFailed = true;
  if (run.cancel_requested && (run.state === 'running' || run.state === 'queued')) {
    view.cancelRequested = run.cancel_requested;
  }
  if (steps.some((s) => argvDowngrades(s.argv))) view.downgrades = true;
  const next = nextStepsFor(view);
  if (next.length > 0) view.nextSteps = next;
  return view;
}

/** The request ended at its preflight: a check failed and no step ever started. */
function preflightFailedBeforeAnyStep(run: RunRow, steps: StepRow[]): boolean {
  return (
    (run.view.preflight ?? []).some((p) => !p.ok) &&
    steps.every((s) => s.started_at === null || s.started_at === undefined)
  );
}

export async function loadRunView(q: Queryable, runId: string): Promise<RunView | undefined> {
  const run = await getRun(q, runId);
  if (!run) return undefined;
  const [steps, approvals] = await Promise.all([getSteps(q, runId), getApprovals(q, runId)]);
  return toRunView(run, steps, approvals);
}
