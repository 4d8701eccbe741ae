import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunView, StepView } from '../../cards/model.js';
import { createLarkMessenger, type LarkMessenger } from '../../src/lark/client.js';
import { type DeliveryDeps, deliverStream } from '../../src/lark/outbox-delivery.js';
import { createRedisPacer } from '../../src/lark/pacer.js';
import { renderPayload } from '../../src/lark/render.js';
import { nextThreadReply } from '../../src/lark/thread-batch.js';
import { claimBatch, enqueueOutbox, pendingInStream } from '../../src/runs/outbox-repo.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { awaitingApproval, SHANGHAI_EN, T } from '../cards/fixtures.js';
import { createTestDatabase, type TestDatabase, uniquePrefix } from '../helpers/db.js';
import { postText, threadEntries } from '../helpers/messages.js';

/**
 * Delivery of thread lines on real parts: Postgres outbox rows, the Redis pacer, the sandbox as Lark (with its
 * real per-chat rate limiter and 30 KB content limit). No worker: deliverStream is called as the deliver job does.
 */

const CHAT = 'oc_batch';
const APP = { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'thread-batch-secret' };
let db: TestDatabase;
let sandbox: Sandbox;
let redis: Redis;
let messenger: LarkMessenger;
let deps: DeliveryDeps;
const problems: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = createSandbox(APP);
  const { url } = await sandbox.listen();
  sandbox.addChat({ chatId: CHAT, name: 'Batch', members: [{ openId: 'ou_someone', name: 'Someone' }] });
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  messenger = createLarkMessenger({ ...APP, domain: url });
  deps = {
    pool: db.pool,
    messenger,
    pacer: createRedisPacer(redis, uniquePrefix('rbt-pace')),
    render: SHANGHAI_EN,
    log: { info() {}, warn: (_o, m) => problems.push(m), error: (_o, m) => problems.push(m) },
    backoff: { baseMs: 20, capMs: 100 },
  };
}, 30_000);
afterAll(async () => {
  await sandbox?.close();
  redis?.disconnect();
  await db?.drop();
});
beforeEach(() => {
  problems.length = 0;
});

let runs = 0;
/** A run of `n` steps with its card in the sandbox; its view has every step finished (`failed` with a tail). */
async function newRun(n: number, tail?: string): Promise<{ runId: string; card: string; view: RunView }> {
  const runId = `run_batch_${++runs}_${Date.now()}`;
  const startMs = Date.parse(T.started);
  const steps: StepView[] = Array.from({ length: n }, (_, i) => ({
    idx: i,
    id: `step-${i}`,
    title: { 'zh-CN': `第 ${i + 1} 步`, 'en-US': `Step number ${i + 1}` },
    idempotent: true,
    state: tail ? 'failed' : 'succeeded',
    startedAt: new Date(startMs + i * 1000).toISOString(),
    finishedAt: new Date(startMs + i * 1000 + 400).toISOString(),
    exitCode: tail ? 1 : 0,
    ...(tail ? { outputTail: tail } : {}),
  }));
  const view = awaitingApproval({ runId, state: 'running', startedAt: T.started, steps });
  await deps.pacer.wait(`chat:${CHAT}`); // the sandbox's rate limiter counts this create too
  const card = await messenger.create(CHAT, 'text', JSON.stringify({ text: 'the card' }), `${runId}-card`);
  await db.pool.query(
    `INSERT INTO runs (id, runbook_id, runbook_hash, target_id, params, plan_hash, view, chat_id,
                       requester_open_id, card_message_id, state, quorum, four_eyes)
     VALUES ($1, 'batch', 'h', $2, '{}', 'p', '{}', $3, 'ou_someone', $4, 'running', 1, true)`,
    [runId, `target-${runId}`, CHAT, card],
  );
  return { runId, card, view };
}

/** The thread lines a run owes, in step order: each step's start and end (rows written as the worker does). */
async function owe(runId: string, view: RunView, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    for (const [render, tag] of [
      ['step_started', 's'],
      ['step_finished', 'e'],
    ] as const) {
      await enqueueOutbox(db.pool, {
        stream: `run:${runId}`,
        runId,
        chatId: CHAT,
        op: 'thread',
        payload: { render, view, stepIdx: i },
        uuid: `${runId}-${i}-${tag}1`,
      });
    }
  }
}

const thread = (card: string) => sandbox.threadOf(card).filter((m) => m.msgType === 'post');
/** `Step number 3 — started`, `Step number 3 — failed…` per line, in thread order. */
const stepLines = (card: string) =>
  threadEntries(thread(card)).map((e) => /· (Step number \d+ — \w+)/.exec(e)?.[1] ?? e);
const expected = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => [
    `Step number ${from + k + 1} — started`,
    `Step number ${from + k + 1} — succeeded`,
  ]).flat();

async function outboxStates(runId: string) {
  const r = await db.pool.query(
    `SELECT state, batch, lark_message_id FROM outbox WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  return r.rows as { state: string; batch: string | null; lark_message_id: string | null }[];
}

describe('thread lines owed to one thread', () => {
  it('go as one reply, every line in step order, all rows marked sent together', async () => {
    const { runId, card, view } = await newRun(10);
    await owe(runId, view, 0, 10);
    expect(await deliverStream(deps, `run:${runId}`)).toBe(20);
    const replies = thread(card);
    expect(stepLines(card)).toEqual(expected(0, 10));
    expect(replies.length).toBeLessThan(20);
    expect(replies).toHaveLength(1);
    // Each line keeps its own clock and T+ (step i starts at T+00:0i).
    const en = postText(replies[0] as (typeof replies)[number], 'en_us').split('\n');
    expect(en[4]).toMatch(/^▶ 10:31:55 · T\+00:02 · Step number 3 — started$/);
    const rows = await outboxStates(runId);
    expect(rows.every((r) => r.state === 'sent' && r.lark_message_id === replies[0]?.messageId)).toBe(true);
    expect(new Set(rows.map((r) => r.batch)).size).toBe(1);
    expect(problems).toEqual([]);
  });

  it('a crash between the send and the mark sends no line twice and loses none', async () => {
    const { runId, card, view } = await newRun(6);
    await owe(runId, view, 0, 3);
    // The attempt before the crash: its reply claimed, sent to Lark, never marked sent.
    const reply = nextThreadReply(await pendingInStream(db.pool, `run:${runId}`, 100), SHANGHAI_EN);
    expect(
      await claimBatch(
        db.pool,
        reply.rows.map((r) => r.id),
        reply.uuid,
      ),
    ).toBe(true);
    const content = JSON.stringify(reply.message.content);
    const sentBefore = await messenger.reply(card, reply.message.msgType, content, reply.uuid, true);
    // Lines owed after the crash, then the next deliverer.
    await owe(runId, view, 3, 6);
    await deliverStream(deps, `run:${runId}`);
    expect(stepLines(card)).toEqual(expected(0, 6));
    expect(thread(card)).toHaveLength(2);
    const rows = await outboxStates(runId);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    expect(rows.slice(0, 6).every((r) => r.lark_message_id === sentBefore)).toBe(true);
  });

  it('Lark refusing a reply for a while (429, 500, a lost request) delays lines, never duplicates them', async () => {
    const { runId, card, view } = await newRun(8);
    await owe(runId, view, 0, 8);
    sandbox.faults.failNext(1, '429', ['reply']);
    sandbox.faults.failNext(1, '500', ['reply']);
    sandbox.faults.failNext(1, 'drop', ['reply']);
    await deliverStream(deps, `run:${runId}`);
    expect(stepLines(card)).toEqual(expected(0, 8));
    expect(thread(card)).toHaveLength(1);
    expect((await outboxStates(runId)).every((r) => r.state === 'sent')).toBe(true);
  });

  it('are split into several replies when one would pass 30 KB, each accepted by Lark, in order', async () => {
    // 16 failed steps whose end lines each carry a 2 KB output tail, in two languages: ~70 KB in all.
    const { runId, card, view } = await newRun(16, `${'x'.repeat(1990)}\n`);
    await owe(runId, view, 0, 16);
    await deliverStream(deps, `run:${runId}`);
    const replies = thread(card);
    expect(replies.length).toBeGreaterThan(2);
    expect(replies.length).toBeLessThan(32);
    for (const r of replies) expect(Buffer.byteLength(r.rawContent)).toBeLessThanOrEqual(30 * 1024);
    const lines = stepLines(card);
    expect(lines).toHaveLength(32);
    expect(lines.map((l) => l.replace(/ — \w+$/, ''))).toEqual(
      Array.from({ length: 16 }, (_, i) => [`Step number ${i + 1}`, `Step number ${i + 1}`]).flat(),
    );
    expect(lines.filter((l) => / — failed$/.test(l))).toHaveLength(16);
    expect((await outboxStates(runId)).every((r) => r.state === 'sent')).toBe(true);
    expect(problems).toEqual([]);
  });

  it('a line rendered alone is exactly what it was before combining existed', async () => {
    const { runId, card, view } = await newRun(1);
    await enqueueOutbox(db.pool, {
      stream: `run:${runId}`,
      runId,
      chatId: CHAT,
      op: 'thread',
      payload: { render: 'step_started', view, stepIdx: 0 },
      uuid: `${runId}-0-s1`,
    });
    await deliverStream(deps, `run:${runId}`);
    const [only] = thread(card);
    // Claimed (and so sent) under its own uuid, as before.
    expect((await outboxStates(runId))[0]?.batch).toBe(`${runId}-0-s1`);
    expect(only?.content).toEqual(
      renderPayload({ render: 'step_started', view, stepIdx: 0 }, SHANGHAI_EN).content,
    );
  });
});
