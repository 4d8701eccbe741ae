import type { Queryable } from '../db/pool.js';

/** What the sweep looks for: work Postgres says is owed that Redis may have lost. */

/** Runs awaiting approval past their deadline (the sweep expires them if the delayed job was lost). */
export async function overdueRequests(q: Queryable): Promise<string[]> {
  const result = await q.query(
    `SELECT id FROM runs WHERE state = 'awaiting_approval' AND expires_at <= now() LIMIT 100`,
  );
  return result.rows.map((r) => r.id);
}

/** Requests whose preflight job may have been lost (older than a few seconds and still `requested`). */
export async function stalledPreflights(q: Queryable): Promise<string[]> {
  const result = await q.query(
    `SELECT id FROM runs WHERE state = 'requested' AND created_at < now() - interval '5 seconds' LIMIT 100`,
  );
  return result.rows.map((r) => r.id);
}

export async function queuedRuns(q: Queryable): Promise<string[]> {
  const result = await q.query(`SELECT id FROM runs WHERE state = 'queued' LIMIT 100`);
  return result.rows.map((r) => r.id);
}

/** Runs whose executing worker stopped renewing its lease (died, or lost Redis): the sweep re-queues them. */
export async function runsWithLapsedLease(q: Queryable): Promise<string[]> {
  const result = await q.query(
    `SELECT id FROM runs WHERE state = 'running' AND lease_expires_at < now() LIMIT 100`,
  );
  return result.rows.map((r) => r.id);
}
