import type { I18nText, StepState } from '../../cards/model.js';
import type { Queryable } from '../db/pool.js';
import type { RunRow, StepRow } from './run-repo.js';

/**
 * SQL of an execution attempt. Each attempt takes a lease with a fencing token (runs.lease_token); every step
 * transition names the token it holds, so a worker that lost its lease changes nothing (0 rows).
 */

/**
 * A queued run, or a running one whose lease has lapsed (its worker is gone). A running run whose lease is still
 * renewed belongs to a live attempt: a second job for it (BullMQ handing out a job whose lock expired while
 * Redis was unreachable) gets nothing, rather than pausing a healthy run.
 */
export async function acquireLease(
  q: Queryable,
  runId: string,
  leaseMs: number,
  /** Only a run of these runner pools (a worker never takes another pool's run). @defaultValue any pool */
  pools?: string[],
): Promise<(RunRow & { previous_lease_expires_at: Date | null }) | undefined> {
  // `previous_lease_expires_at`: when the lapsed lease of a lost worker ran out (null for a queued run).
  const result = await q.query(
    `WITH prev AS (SELECT id, state, lease_expires_at FROM runs WHERE id = $1 FOR UPDATE)
     UPDATE runs r SET state = 'running', lease_token = r.lease_token + 1,
       lease_expires_at = now() + $2 * interval '1 millisecond', started_at = coalesce(r.started_at, now())
     FROM prev
     WHERE r.id = prev.id AND (r.state = 'queued'
       OR (r.state = 'running' AND (r.lease_expires_at IS NULL OR r.lease_expires_at < now())))
       AND ($3::text[] IS NULL OR r.runner_pool = ANY($3::text[]))
     RETURNING r.*, CASE WHEN prev.state = 'running' THEN coalesce(prev.lease_expires_at, now()) END
       AS previous_lease_expires_at`,
    [runId, leaseMs, pools ?? null],
  );
  return result.rows[0];
}

/** An attempt that failed (threw) gives its lease up, so a retry of the job may take the run at once. */
export async function releaseLease(q: Queryable, runId: string, lease: string): Promise<void> {
  await q.query(
    `UPDATE runs SET lease_expires_at = now() WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
    [runId, lease],
  );
}

export async function renewLease(
  q: Queryable,
  runId: string,
  lease: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await q.query(
    `UPDATE runs SET lease_expires_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
    [runId, lease, leaseMs],
  );
  return result.rowCount === 1;
}

export async function startStep(
  q: Queryable,
  runId: string,
  idx: number,
  lease: string,
  from: readonly StepState[],
  /** A re-run after a lost worker: when that worker was declared lost (shown before the new start). */
  interruptedAt?: Date,
  /** Which runner runs it (the audit trail says where each step ran). */
  runnerId?: string,
): Promise<StepRow | undefined> {
  const result = await q.query(
    `UPDATE steps s SET state = 'running', started_at = now(), finished_at = NULL, attempt = s.attempt + 1,
       exit_code = NULL, output_tail = NULL, result = NULL, interrupted_at = $5, runner_id = $6
     FROM runs r
     WHERE s.run_id = $1 AND s.idx = $2 AND s.state = ANY($4::step_state[])
       AND r.id = s.run_id AND r.lease_token = $3 AND r.state = 'running'
     RETURNING s.*`,
    [runId, idx, lease, from, interruptedAt ?? null, runnerId ?? null],
  );
  return result.rows[0];
}

export async function finishStep(
  q: Queryable,
  runId: string,
  idx: number,
  lease: string,
  outcome: StepFinish,
): Promise<StepRow | undefined> {
  const result = await q.query(
    `UPDATE steps s SET state = $4, finished_at = now(), exit_code = $5, output_tail = $6, result = $7
     FROM runs r
     WHERE s.run_id = $1 AND s.idx = $2 AND s.state = 'running'
       AND r.id = s.run_id AND r.lease_token = $3
     RETURNING s.*`,
    [
      runId,
      idx,
      lease,
      outcome.state,
      outcome.exitCode,
      outcome.outputTail,
      outcome.result ? JSON.stringify(outcome.result) : null,
    ],
  );
  return result.rows[0];
}

export interface StepFinish {
  state: StepState;
  exitCode: number | null;
  outputTail: string | null;
  /** What the step said, or why it skipped itself. */
  result?: I18nText | null;
}

/** A pending step whose runbook condition does not hold ends `skipped` without running; `reason` says why. */
export async function skipStep(
  q: Queryable,
  runId: string,
  idx: number,
  lease: string,
  reason: I18nText,
): Promise<StepRow | undefined> {
  const result = await q.query(
    `UPDATE steps s SET state = 'skipped', finished_at = now(), result = $4
     FROM runs r
     WHERE s.run_id = $1 AND s.idx = $2 AND s.state = 'pending'
       AND r.id = s.run_id AND r.lease_token = $3 AND r.state = 'running'
     RETURNING s.*`,
    [runId, idx, lease, JSON.stringify(reason)],
  );
  return result.rows[0];
}

/**
 * Mark steps that never ran (after a failure or cancel) as skipped/cancelled, for an honest record; `why` is
 * stored as their result (shown next to ⏭ on the summary).
 */
export async function closePendingSteps(
  q: Queryable,
  runId: string,
  state: StepState,
  why?: I18nText,
): Promise<void> {
  await q.query(`UPDATE steps SET state = $2, result = $3 WHERE run_id = $1 AND state = 'pending'`, [
    runId,
    state,
    why ? JSON.stringify(why) : null,
  ]);
}

export async function finishRun(
  q: Queryable,
  runId: string,
  lease: string,
  state: 'succeeded' | 'failed' | 'cancelled' | 'paused',
  reason: string | null,
): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET state = $3::run_state, reason = $4, lease_expires_at = NULL,
       finished_at = CASE WHEN $3::text = 'paused' THEN NULL ELSE now() END
     WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING *`,
    [runId, lease, state, reason],
  );
  return result.rows[0];
}

export async function cancelRequested(q: Queryable, runId: string): Promise<'after_step' | 'now' | null> {
  const result = await q.query('SELECT cancel_requested FROM runs WHERE id = $1', [runId]);
  return result.rows[0]?.cancel_requested ?? null;
}

/** A person's decision on a paused run's step: back to pending (Retry) or skipped (Skip). */
export async function resolveStep(
  q: Queryable,
  runId: string,
  idx: number,
  to: 'pending' | 'skipped',
): Promise<boolean> {
  const result = await q.query(
    `UPDATE steps SET state = $3::step_state, finished_at = CASE WHEN $3::text = 'skipped' THEN now() ELSE finished_at END
     WHERE run_id = $1 AND idx = $2 AND state IN ('interrupted', 'cancelled', 'running')`,
    [runId, idx, to],
  );
  return result.rowCount === 1;
}
