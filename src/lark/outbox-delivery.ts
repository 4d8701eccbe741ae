import type { RenderOptions } from '../../cards/model.js';
import type { Pool } from '../db/pool.js';
import {
  cardMessageIdOf,
  markAttempt,
  markFailed,
  markSent,
  type OutboxRow,
  pendingInStream,
} from '../runs/outbox-repo.js';
import { setCardMessageId } from '../runs/run-repo.js';
import { classifyLarkError } from './api-error.js';
import type { LarkMessenger } from './client.js';
import type { Pacer } from './pacer.js';
import { renderPayload } from './render.js';

export interface DeliveryDeps {
  pool: Pool;
  messenger: LarkMessenger;
  pacer: Pacer;
  render: RenderOptions;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  /** Tries per message inside one job before the job itself is retried later. */
  triesPerJob?: number;
  backoff?: { baseMs: number; capMs: number };
  onResult?: (op: string, result: 'sent' | 'retry' | 'failed', ms: number, status?: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export class StreamBusyError extends Error {
  constructor(stream: string) {
    super(`stream ${stream} is being delivered by another worker`);
    this.name = 'StreamBusyError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Deliver a stream's pending rows to Lark in order. One deliverer per stream at a time (an advisory lock), so
 * order holds across workers. Retryable failures back off (honouring x-ogw-ratelimit-reset) and keep the
 * stream's order; a permanent refusal is recorded with its reason and does not block the rows after it.
 */
export async function deliverStream(deps: DeliveryDeps, stream: string): Promise<number> {
  const lock = await deps.pool.connect();
  let sent = 0;
  try {
    const got = await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [stream]);
    if (!got.rows[0]?.ok) throw new StreamBusyError(stream);
    try {
      for (;;) {
        const rows = await pendingInStream(deps.pool, stream);
        if (rows.length === 0) break;
        for (const row of rows) sent += await deliverRow(deps, row);
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [stream]);
    }
  } finally {
    lock.release();
  }
  return sent;
}

async function deliverRow(deps: DeliveryDeps, row: OutboxRow): Promise<number> {
  const sleep = deps.sleep ?? defaultSleep;
  const tries = deps.triesPerJob ?? 6;
  const { baseMs, capMs } = deps.backoff ?? { baseMs: 250, capMs: 15_000 };
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    try {
      const done = await send(deps, row);
      deps.onResult?.(row.op, 'sent', Date.now() - started);
      return done ? 1 : 0;
    } catch (raw) {
      const error = classifyLarkError(raw);
      if (!error.retryable) {
        await markFailed(deps.pool, row.id, error.message);
        deps.onResult?.(row.op, 'failed', Date.now() - started, error.status);
        deps.log.error(
          { outboxId: row.id, stream: row.stream, op: row.op, err: error.message },
          'Lark refused a message for good',
        );
        return 0;
      }
      await markAttempt(deps.pool, row.id, error.message);
      deps.onResult?.(row.op, 'retry', Date.now() - started, error.status);
      if (attempt >= tries) throw error;
      const exponential = Math.min(capMs, baseMs * 2 ** (attempt - 1));
      const delay = error.retryAfterMs ?? exponential / 2 + Math.random() * (exponential / 2);
      deps.log.warn(
        { outboxId: row.id, attempt, delay: Math.round(delay), err: error.message },
        'Lark send failed; retrying',
      );
      await sleep(delay);
    }
  }
}

/** One send. Returns false when the row could not be sent for lack of its card (recorded as failed). */
async function send(deps: DeliveryDeps, row: OutboxRow): Promise<boolean> {
  // A file is uploaded on every attempt (an orphan upload is harmless); the message's uuid keeps it one post.
  const fileKey =
    row.payload.render === 'file'
      ? await deps.messenger.uploadFile(row.payload.fileName, Buffer.from(row.payload.body, 'utf8'))
      : undefined;
  const message = renderPayload(row.payload, deps.render, fileKey);
  const content = JSON.stringify(message.content);
  if (row.op === 'create') {
    await deps.pacer.wait(`chat:${row.chat_id}`);
    const id = await deps.messenger.create(row.chat_id, message.msgType, content, row.uuid);
    await markSent(deps.pool, row.id, id);
    if (row.run_id && id) await setCardMessageId(deps.pool, row.run_id, id);
    return true;
  }
  if (row.op === 'reply') {
    await deps.pacer.wait(`chat:${row.chat_id}`);
    const id = await deps.messenger.reply(row.reply_to ?? '', message.msgType, content, row.uuid, false);
    await markSent(deps.pool, row.id, id);
    return true;
  }
  const card = row.run_id ? await cardMessageIdOf(deps.pool, row.run_id) : null;
  if (!card) {
    await markFailed(deps.pool, row.id, 'the run has no card message (its creation failed)');
    return false;
  }
  if (row.op === 'patch') {
    await deps.pacer.wait(`msg:${card}`);
    await deps.messenger.patch(card, content);
    await markSent(deps.pool, row.id, card);
    return true;
  }
  await deps.pacer.wait(`chat:${row.chat_id}`);
  const id = await deps.messenger.reply(card, message.msgType, content, row.uuid, true);
  await markSent(deps.pool, row.id, id);
  return true;
}
