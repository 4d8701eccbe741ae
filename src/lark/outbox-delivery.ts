import type { RenderOptions } from '../../cards/model.js';
import type { Pool } from '../db/pool.js';
import {
  cardMessageIdOf,
  claimBatch,
  markAttempt,
  markFailed,
  markSent,
  type OutboxRow,
  pendingInStream,
  splitBatch,
} from '../runs/outbox-repo.js';
import { setCardMessageId } from '../runs/run-repo.js';
import { classifyLarkError } from './api-error.js';
import type { LarkMessenger } from './client.js';
import type { Pacer } from './pacer.js';
import { renderPayload } from './render.js';
import { isThreadLine, nextThreadReply } from './thread-batch.js';

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

/** Pending rows read at a time: enough for every line a busy run owes its thread while one reply waits. */
const WINDOW = 100;

/** One send: the rows it carries, and the send itself (which marks them sent). */
interface Unit {
  ids: string[];
  op: string;
  /** The uuid the rows are claimed under, for a thread reply. */
  batch?: string;
  send(): Promise<number>;
}

/**
 * Deliver a stream's pending rows to Lark in order. One deliverer per stream at a time (an advisory lock), so
 * order holds across workers. Retryable failures back off (honouring x-ogw-ratelimit-reset) and keep the
 * stream's order; a permanent refusal is recorded with its reason and does not block the rows after it.
 * Thread lines that pile up while a reply waits for its slot go as one reply (`deliverThreadLines`).
 */
export async function deliverStream(deps: DeliveryDeps, stream: string): Promise<number> {
  const lock = await deps.pool.connect();
  let sent = 0;
  try {
    const got = await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [stream]);
    if (!got.rows[0]?.ok) throw new StreamBusyError(stream);
    try {
      for (;;) {
        const [head] = await pendingInStream(deps.pool, stream, 1);
        if (!head) break;
        sent += isThreadLine(head)
          ? await deliverUnit(deps, head, () => threadUnit(deps, head))
          : await deliverUnit(deps, head, async () => ({
              ids: [head.id],
              op: head.op,
              send: async () => ((await send(deps, head)) ? 1 : 0),
            }));
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [stream]);
    }
  } finally {
    lock.release();
  }
  return sent;
}

/**
 * The stream's next thread reply, formed once its slot in the chat's pacing has come, so the lines that
 * arrived meanwhile go with it. Its rows are claimed under its uuid before the send: after a crash or a lost
 * answer the same rows go again under the same uuid, which Lark posts once.
 */
async function threadUnit(deps: DeliveryDeps, head: OutboxRow): Promise<Unit> {
  await deps.pacer.wait(`chat:${head.chat_id}`);
  const reply = nextThreadReply(await pendingInStream(deps.pool, head.stream, WINDOW), deps.render);
  const ids = reply.rows.map((r) => r.id);
  if (!reply.claimed && !(await claimBatch(deps.pool, ids, reply.uuid))) {
    throw new Error(`outbox rows ${ids.join(',')} changed while their reply was formed`);
  }
  return {
    ids,
    op: 'thread',
    batch: reply.uuid,
    async send() {
      const card = head.run_id ? await cardMessageIdOf(deps.pool, head.run_id) : null;
      if (!card) {
        await markFailed(deps.pool, ids, 'the run has no card message (its creation failed)');
        return 0;
      }
      const content = JSON.stringify(reply.message.content);
      const id = await deps.messenger.reply(card, reply.message.msgType, content, reply.uuid, true);
      await markSent(deps.pool, ids, id);
      return ids.length;
    },
  };
}

/** Form and send one unit, retrying with backoff; a unit is formed again for each attempt. */
async function deliverUnit(deps: DeliveryDeps, head: OutboxRow, form: () => Promise<Unit>): Promise<number> {
  const sleep = deps.sleep ?? defaultSleep;
  const tries = deps.triesPerJob ?? 6;
  const { baseMs, capMs } = deps.backoff ?? { baseMs: 250, capMs: 15_000 };
  for (let attempt = 1; ; attempt++) {
    const unit = await form();
    const started = Date.now();
    try {
      const done = await unit.send();
      deps.onResult?.(unit.op, 'sent', Date.now() - started);
      return done;
    } catch (raw) {
      const error = classifyLarkError(raw);
      if (!error.retryable) {
        deps.onResult?.(unit.op, 'failed', Date.now() - started, error.status);
        if (unit.batch && unit.ids.length > 1) {
          // A refused request posted nothing: its lines go on one reply each, so one bad line keeps its own refusal.
          await splitBatch(deps.pool, head.stream, unit.batch);
          deps.log.warn(
            { outboxIds: unit.ids, err: error.message },
            'Lark refused a combined reply; sending its lines one by one',
          );
          return 0;
        }
        await markFailed(deps.pool, unit.ids, error.message);
        deps.log.error(
          { outboxId: unit.ids.join(','), stream: head.stream, op: unit.op, err: error.message },
          'Lark refused a message for good',
        );
        return 0;
      }
      await markAttempt(deps.pool, unit.ids, error.message);
      deps.onResult?.(unit.op, 'retry', Date.now() - started, error.status);
      if (attempt >= tries) throw error;
      const exponential = Math.min(capMs, baseMs * 2 ** (attempt - 1));
      const delay = error.retryAfterMs ?? exponential / 2 + Math.random() * (exponential / 2);
      deps.log.warn(
        { outboxId: unit.ids.join(','), attempt, delay: Math.round(delay), err: error.message },
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
