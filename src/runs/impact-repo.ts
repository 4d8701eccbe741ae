import type { Queryable } from '../db/pool.js';
import { LIVE_WITHIN_MS } from './runners-repo.js';

/** `/rollback impact` requests (migration 006): written by the server, answered by a runner of the pool. */

export interface ImpactRequestRow {
  id: string;
  chat_id: string;
  message_id: string;
  requester_open_id: string;
  target_id: string;
  runner_pool: string;
  state: 'pending' | 'done';
}

export async function insertImpactRequest(
  q: Queryable,
  row: {
    id: string;
    chatId: string;
    messageId: string;
    requesterOpenId: string;
    targetId: string;
    pool: string;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO impact_requests (id, chat_id, message_id, requester_open_id, target_id, runner_pool)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [row.id, row.chatId, row.messageId, row.requesterOpenId, row.targetId, row.pool],
  );
}

export async function getImpactRequest(q: Queryable, id: string): Promise<ImpactRequestRow | undefined> {
  const result = await q.query(
    `SELECT id, chat_id, message_id, requester_open_id, target_id, runner_pool, state
       FROM impact_requests WHERE id = $1`,
    [id],
  );
  return result.rows[0];
}

/** Mark a pending request answered; false when another attempt answered it first (then post nothing). */
export async function finishImpactRequest(q: Queryable, id: string, outcome: string): Promise<boolean> {
  const result = await q.query(
    `UPDATE impact_requests SET state = 'done', outcome = $2, finished_at = now()
      WHERE id = $1 AND state = 'pending' RETURNING id`,
    [id, outcome],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Requests still pending after a few seconds: their job may be lost (the sweep queues them again). */
export async function stalledImpactRequests(q: Queryable): Promise<{ id: string; pool: string }[]> {
  const result = await q.query(
    `SELECT id, runner_pool AS pool FROM impact_requests
      WHERE state = 'pending' AND created_at < now() - interval '5 seconds' ORDER BY created_at LIMIT 100`,
  );
  return result.rows;
}

/**
 * Requests pending longer than `olderThanMs` that no live runner of their pool can answer (their runner went away
 * after the request was accepted): the sweep answers them rather than leave the asker waiting.
 */
export async function unanswerableImpactRequests(
  q: Queryable,
  olderThanMs: number,
): Promise<ImpactRequestRow[]> {
  const result = await q.query(
    `SELECT i.id, i.chat_id, i.message_id, i.requester_open_id, i.target_id, i.runner_pool, i.state
       FROM impact_requests i
      WHERE i.state = 'pending' AND i.created_at < now() - make_interval(secs => $1)
        AND NOT EXISTS (SELECT 1 FROM runners w WHERE w.last_seen > now() - make_interval(secs => $2)
                          AND i.runner_pool = ANY(w.pools) AND i.target_id = ANY(w.targets))
      ORDER BY i.created_at LIMIT 100`,
    [olderThanMs / 1000, LIVE_WITHIN_MS / 1000],
  );
  return result.rows;
}
