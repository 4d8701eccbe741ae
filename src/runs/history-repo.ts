import type { HistoryLine } from '../commands/history-reply.js';
import type { Queryable } from '../db/pool.js';

/** SQL for what finished runs took and who approved them (issue 14: measured durations, `/rollback history`). */

const ms = (from: Date | null, to: Date | null): number | undefined =>
  from && to ? new Date(to).getTime() - new Date(from).getTime() : undefined;

/** Durations (start to finish, ms) of the latest successful runs of `runbookId` on `targetId`, newest first. */
export async function successfulDurations(
  q: Queryable,
  runbookId: string,
  targetId: string,
  limit: number,
): Promise<number[]> {
  const result = await q.query(
    `SELECT started_at, finished_at FROM runs
     WHERE target_id = $1 AND runbook_id = $2 AND state = 'succeeded'
       AND started_at IS NOT NULL AND finished_at IS NOT NULL
     ORDER BY finished_at DESC LIMIT $3`,
    [targetId, runbookId, limit],
  );
  return result.rows
    .map((r: { started_at: Date; finished_at: Date }) => ms(r.started_at, r.finished_at))
    .filter((d: number | undefined): d is number => d !== undefined);
}

/** The latest finished runs on these targets (of one runbook when given), newest first. */
export async function finishedRuns(
  q: Queryable,
  targetIds: readonly string[],
  runbookId: string | undefined,
  limit: number,
): Promise<HistoryLine[]> {
  const result = await q.query(
    `SELECT r.id, r.runbook_id, r.target_id, r.state::text AS state, r.created_at, r.started_at, r.finished_at,
            r.actor_open_id, coalesce((r.view->>'approvalNotNeeded')::boolean,
              -- runs recorded before the flag: started with no approval at all (a read-only runbook)
              r.approved_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM approvals n WHERE n.run_id = r.id AND n.decision = 'approve'))
              AS approval_not_needed,
            coalesce((SELECT array_agg(a.approver_open_id ORDER BY a.created_at, a.approver_open_id)
                      FROM approvals a
                      WHERE a.run_id = r.id AND a.decision = 'approve' AND a.plan_hash = r.plan_hash),
                     '{}') AS approvers
     FROM runs r
     WHERE r.target_id = ANY($1) AND ($2::text IS NULL OR r.runbook_id = $2)
       AND r.state IN ('succeeded', 'failed', 'cancelled', 'rejected', 'expired')
     ORDER BY coalesce(r.finished_at, r.created_at) DESC, r.id DESC
     LIMIT $3`,
    [targetIds, runbookId ?? null, limit],
  );
  return result.rows.map(
    (r: {
      id: string;
      runbook_id: string;
      target_id: string;
      state: string;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      actor_open_id: string | null;
      approvers: string[];
      approval_not_needed: boolean;
    }) => {
      const duration = ms(r.started_at, r.finished_at);
      return {
        id: r.id,
        runbookId: r.runbook_id,
        targetId: r.target_id,
        state: r.state,
        createdAt: new Date(r.created_at).toISOString(),
        ...(r.started_at ? { startedAt: new Date(r.started_at).toISOString() } : {}),
        ...(duration !== undefined ? { durationMs: duration } : {}),
        approvers: r.approvers,
        ...(r.approval_not_needed ? { approvalNotNeeded: true } : {}),
        ...(r.actor_open_id ? { actor: r.actor_open_id } : {}),
      };
    },
  );
}
