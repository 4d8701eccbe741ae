import type { Queryable } from '../db/pool.js';
import type { OutboxPayload } from './outbox-payload.js';

export type OutboxOp = 'create' | 'reply' | 'thread' | 'patch';

export interface NewOutboxRow {
  stream: string;
  runId?: string;
  chatId: string;
  op: OutboxOp;
  replyTo?: string;
  payload: OutboxPayload;
  uuid: string;
}

export interface OutboxRow {
  id: string;
  stream: string;
  run_id: string | null;
  chat_id: string;
  op: OutboxOp;
  reply_to: string | null;
  payload: OutboxPayload;
  uuid: string;
  attempts: number;
  /** The uuid of the thread reply this row was claimed for (set before sending; see claimBatch). */
  batch: string | null;
}

/**
 * Queue a message owed to Lark, in the caller's transaction. A card patch supersedes the run's earlier
 * pending patches: only the latest content is ever sent.
 */
export async function enqueueOutbox(q: Queryable, row: NewOutboxRow): Promise<string> {
  if (row.op === 'patch' && row.runId) {
    await q.query(
      `UPDATE outbox SET state = 'superseded' WHERE run_id = $1 AND op = 'patch' AND state = 'pending'`,
      [row.runId],
    );
  }
  const result = await q.query(
    `INSERT INTO outbox (stream, run_id, chat_id, op, reply_to, payload, uuid)
     VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
    [row.stream, row.runId ?? null, row.chatId, row.op, row.replyTo ?? null, row.payload, row.uuid],
  );
  return result.rows[0].id;
}

export async function pendingInStream(q: Queryable, stream: string, limit = 20): Promise<OutboxRow[]> {
  const result = await q.query(
    `SELECT id, stream, run_id, chat_id, op, reply_to, payload, uuid, attempts, batch FROM outbox
     WHERE stream = $1 AND state = 'pending' ORDER BY id LIMIT $2`,
    [stream, limit],
  );
  return result.rows;
}

const idList = (id: string | readonly string[]): string[] => (typeof id === 'string' ? [id] : [...id]);

/** One row, or every row of a combined reply at once (one statement: all of them are sent, or none). */
export async function markSent(
  q: Queryable,
  id: string | readonly string[],
  larkMessageId: string | null,
): Promise<void> {
  await q.query(
    `UPDATE outbox SET state = 'sent', sent_at = now(), lark_message_id = $2 WHERE id = ANY($1::bigint[])`,
    [idList(id), larkMessageId],
  );
}

export async function markAttempt(
  q: Queryable,
  id: string | readonly string[],
  error: string,
): Promise<void> {
  await q.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [
    idList(id),
    error,
  ]);
}

export async function markFailed(q: Queryable, id: string | readonly string[], error: string): Promise<void> {
  await q.query(
    `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
    [idList(id), error],
  );
}

/**
 * Claim pending rows for one thread reply under its uuid before it is sent: a later attempt finds the claim
 * and sends the same rows under the same uuid. False when any row was no longer pending or already claimed.
 */
export async function claimBatch(q: Queryable, ids: readonly string[], batch: string): Promise<boolean> {
  const result = await q.query(
    `UPDATE outbox SET batch = $2 WHERE id = ANY($1::bigint[]) AND state = 'pending' AND batch IS NULL`,
    [[...ids], batch],
  );
  return result.rowCount === ids.length;
}

/**
 * A combined reply Lark refused for good: its rows go on as replies of their own (each claimed under its own
 * uuid), so one bad line does not take the others with it. A refused request posted nothing.
 */
export async function splitBatch(q: Queryable, stream: string, batch: string): Promise<void> {
  // By stream first: the pending-rows index serves it (the outbox keeps every message ever sent).
  await q.query(`UPDATE outbox SET batch = uuid WHERE stream = $1 AND state = 'pending' AND batch = $2`, [
    stream,
    batch,
  ]);
}

/** Streams with rows pending for longer than `olderThanMs` (the sweep re-triggers their delivery). */
export async function stalePendingStreams(q: Queryable, olderThanMs: number): Promise<string[]> {
  const result = await q.query(
    `SELECT DISTINCT stream FROM outbox WHERE state = 'pending'
       AND created_at < now() - $1 * interval '1 millisecond' LIMIT 500`,
    [olderThanMs],
  );
  return result.rows.map((r) => r.stream);
}

export async function cardMessageIdOf(q: Queryable, runId: string): Promise<string | null> {
  const result = await q.query('SELECT card_message_id FROM runs WHERE id = $1', [runId]);
  return result.rows[0]?.card_message_id ?? null;
}
