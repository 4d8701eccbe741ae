import type { Queryable } from '../db/pool.js';

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
