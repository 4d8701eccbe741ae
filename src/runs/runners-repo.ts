import type { Queryable } from '../db/pool.js';
import type { RunRow } from './run-repo.js';

/** A runner is live while its heartbeat is at most this old (it beats every HEARTBEAT_MS). */
export const HEARTBEAT_MS = 5000;
export const LIVE_WITHIN_MS = 3 * HEARTBEAT_MS;

export interface RunnerRow {
  id: string;
  host: string;
  pools: string[];
  version: string;
  targets: string[];
  started_at: Date;
  last_seen: Date;
}

export async function beat(
  q: Queryable,
  runner: { id: string; host: string; pools: string[]; version: string; targets: string[] },
): Promise<void> {
  await q.query(
    `INSERT INTO runners (id, host, pools, version, targets) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET host = $2, pools = $3, version = $4, targets = $5, last_seen = now()`,
    [runner.id, runner.host, runner.pools, runner.version, runner.targets],
  );
}

/** A runner that stops cleanly says so, so the card does not count it for the next 15 s. */
export async function leave(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM runners WHERE id = $1', [id]);
}

/** Runners seen within LIVE_WITHIN_MS, newest first. */
export async function liveRunners(q: Queryable): Promise<RunnerRow[]> {
  const result = await q.query(
    `SELECT * FROM runners WHERE last_seen > now() - make_interval(secs => $1) ORDER BY last_seen DESC`,
    [LIVE_WITHIN_MS / 1000],
  );
  return result.rows;
}

/** The last run of each target, with its outcome. */
export async function lastRunsOfTargets(
  q: Queryable,
  targetIds: string[],
): Promise<{ target_id: string; id: string; runbook_id: string; state: string; created_at: Date }[]> {
  const result = await q.query(
    `SELECT DISTINCT ON (target_id) target_id, id, runbook_id, state, created_at FROM runs
     WHERE target_id = ANY($1) ORDER BY target_id, created_at DESC`,
    [targetIds],
  );
  return result.rows;
}

/** Runs waiting for a runner that one of these pools can now serve: the flag is cleared; their rows returned. */
export async function clearWaitingForRunner(
  q: Queryable,
  pools: string[],
  targets: string[],
): Promise<RunRow[]> {
  const result = await q.query(
    `UPDATE runs SET view = view - 'waitingForRunner'
     WHERE state IN ('requested', 'awaiting_approval', 'queued') AND runner_pool = ANY($1) AND target_id = ANY($2)
       AND view ? 'waitingForRunner'
     RETURNING *`,
    [pools, targets],
  );
  return result.rows;
}

/** Is a runner up that can run this target of this pool? */
export async function runnerUpFor(q: Queryable, pool: string, targetId: string): Promise<boolean> {
  const result = await q.query(
    `SELECT 1 FROM runners WHERE last_seen > now() - make_interval(secs => $1) AND $2 = ANY(pools)
       AND $3 = ANY(targets) LIMIT 1`,
    [LIVE_WITHIN_MS / 1000, pool, targetId],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Approved runs that no live runner can take (queued for a while, none of their pool up with their target):
 * flagged `waitingForRunner`, once; their rows returned.
 */
export async function flagQueuedWithoutRunner(q: Queryable, olderThanMs: number): Promise<RunRow[]> {
  const result = await q.query(
    `UPDATE runs r SET view = jsonb_set(r.view, '{waitingForRunner}', to_jsonb(r.runner_pool))
     WHERE r.state = 'queued' AND r.approved_at < now() - make_interval(secs => $1)
       AND NOT (r.view ? 'waitingForRunner')
       AND NOT EXISTS (SELECT 1 FROM runners w WHERE w.last_seen > now() - make_interval(secs => $2)
                         AND r.runner_pool = ANY(w.pools) AND r.target_id = ANY(w.targets))
     RETURNING r.*`,
    [olderThanMs / 1000, LIVE_WITHIN_MS / 1000],
  );
  return result.rows;
}
