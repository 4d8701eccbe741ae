import type { Queryable } from '../db/pool.js';
import type { RunMeta, RunRow } from './run-repo.js';

/** Preflight done: show its results and bind the plan to what it observed. */
export async function completePreflight(
  q: Queryable,
  runId: string,
  planHash: string,
  meta: RunMeta,
): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET state = 'awaiting_approval', plan_hash = $2, view = $3
     WHERE id = $1 AND state = 'requested' RETURNING *`,
    [runId, planHash, meta],
  );
  return result.rows[0];
}

/**
 * A preflight check failed: the request ends (`failed`) and the target is free in the same statement, since a
 * run holds its target only while active. The results stay on the card to say why.
 */
export async function failPreflight(
  q: Queryable,
  runId: string,
  planHash: string,
  meta: RunMeta,
  reason: string,
): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET state = 'failed', plan_hash = $2, view = $3, reason = $4, finished_at = now()
     WHERE id = $1 AND state = 'requested' RETURNING *`,
    [runId, planHash, meta, reason],
  );
  return result.rows[0];
}

/**
 * The state drifted after approval: back to awaiting approval under a new plan (earlier approvals were for the
 * old plan hash and no longer count), with a fresh deadline. Guarded by the executing lease.
 */
export async function rebindPlan(
  q: Queryable,
  runId: string,
  lease: string,
  planHash: string,
  meta: RunMeta,
  expiresAt: Date,
): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET state = 'awaiting_approval', plan_hash = $3, view = $4, expires_at = $5, approved_at = NULL,
       lease_expires_at = NULL
     WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING *`,
    [runId, lease, planHash, meta, expiresAt],
  );
  return result.rows[0];
}
