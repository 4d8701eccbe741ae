import { describe, expect, it } from 'vitest';
import type { RunView } from '../../cards/model.js';
import { joinPosts, postFromTexts } from '../../cards/post.js';
import { isThreadLine, nextThreadReply, replyUuid } from '../../src/lark/thread-batch.js';
import type { OutboxPayload } from '../../src/runs/outbox-payload.js';
import type { OutboxOp, OutboxRow } from '../../src/runs/outbox-repo.js';
import { awaitingApproval, SHANGHAI_EN, steps, T } from '../cards/fixtures.js';
import { postText } from '../helpers/messages.js';

/** The fixture run with all seven steps finished: each row below snapshots it, as the outbox does. */
const view: RunView = awaitingApproval({
  state: 'running',
  startedAt: T.started,
  steps: steps(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed']),
});

let nextId = 1;
function row(op: OutboxOp, payload: OutboxPayload, batch: string | null = null): OutboxRow {
  const id = String(nextId++);
  return {
    id,
    stream: `run:${view.runId}`,
    run_id: view.runId,
    chat_id: 'oc_x',
    op,
    reply_to: null,
    payload,
    uuid: `${view.runId}-${id}`,
    attempts: 0,
    batch,
  };
}
const started = (i: number) => row('thread', { render: 'step_started', view, stepIdx: i });
const finished = (i: number) => row('thread', { render: 'step_finished', view, stepIdx: i });
const patch = () => row('patch', { render: 'card', view });
const summary = () => row('thread', { render: 'summary', view });
const lines = (m: { msgType: string; content: unknown }, l: 'en_us' | 'zh_cn' = 'en_us') =>
  postText(m, l).split('\n');

describe('thread lines owed at once', () => {
  it('go as one reply, every line in step order with its own time, patches passed over', () => {
    const pending = [started(0), finished(0), patch(), started(1), finished(1), patch(), started(2)];
    const reply = nextThreadReply(pending, SHANGHAI_EN);
    expect(reply.rows.map((r) => r.id)).toEqual(pending.filter((r) => r.op === 'thread').map((r) => r.id));
    expect(reply.claimed).toBe(false);
    expect(reply.message.msgType).toBe('post');
    const en = lines(reply.message);
    expect(en).toHaveLength(5);
    expect(en.map((l) => /^(\S+) (\d\d:\d\d:\d\d) · (T\+\d\d:\d\d) · (.*)$/.exec(l)?.slice(1))).toEqual([
      ['▶', '10:31:53', 'T+00:00', 'Stop the application — started'],
      ['✅', '10:31:54', 'T+00:01', 'Stop the application — succeeded in 1.5s'],
      ['▶', '10:31:55', 'T+00:02', 'Back up the database — started'],
      ['✅', '10:31:56', 'T+00:03', 'Back up the database — succeeded in 1.5s'],
      ['▶', '10:31:57', 'T+00:04', 'Downgrade the database migration — started'],
    ]);
    // Both languages, line for line.
    expect(lines(reply.message, 'zh_cn')).toHaveLength(5);
    expect(lines(reply.message, 'zh_cn')[1]).toMatch(/^✅ 10:31:54 · T\+00:01 · 停止应用 — /);
    expect(reply.uuid).toBe(`${pending[0]?.uuid}+5`);
  });

  it('a line alone is sent as it always was, under its own uuid', () => {
    const only = started(3);
    const reply = nextThreadReply([only, patch()], SHANGHAI_EN);
    expect(reply.rows).toEqual([only]);
    expect(reply.uuid).toBe(only.uuid);
    expect(lines(reply.message)).toHaveLength(1);
  });

  it('the summary and notes stay replies of their own, and end a combined reply', () => {
    const pending = [started(6), finished(6), summary(), started(0)];
    expect(nextThreadReply(pending, SHANGHAI_EN).rows).toEqual(pending.slice(0, 2));
    const note = row('thread', { render: 'text', text: { 'zh-CN': '注', 'en-US': 'note' } });
    expect(isThreadLine(note)).toBe(false);
    expect(isThreadLine(summary())).toBe(false);
    expect(nextThreadReply([finished(5), note, started(6)], SHANGHAI_EN).rows).toHaveLength(1);
    expect(() => nextThreadReply([summary()], SHANGHAI_EN)).toThrow(/thread line/);
  });

  it('split when the joined post would pass the size limit, never dropping a line', () => {
    // A failed step's end line carries its output tail (up to 2 KB): a few of them exceed a small limit.
    const tail = 'x'.repeat(1900);
    const failed: RunView = {
      ...view,
      steps: view.steps.map((s) => ({ ...s, state: 'failed', outputTail: tail })),
    };
    const pending = Array.from({ length: 7 }, (_, i) =>
      row('thread', { render: 'step_finished', view: failed, stepIdx: i }),
    );
    const maxBytes = 10_000;
    const seen: string[] = [];
    let rest = pending;
    while (rest.length) {
      const reply = nextThreadReply(rest, SHANGHAI_EN, maxBytes);
      expect(JSON.stringify(JSON.stringify(reply.message.content)).length).toBeLessThanOrEqual(maxBytes);
      seen.push(...reply.rows.map((r) => r.id));
      rest = rest.slice(reply.rows.length);
    }
    expect(seen).toEqual(pending.map((r) => r.id));
    expect(nextThreadReply(pending, SHANGHAI_EN, maxBytes).rows.length).toBeGreaterThan(1);
    expect(nextThreadReply(pending, SHANGHAI_EN, maxBytes).rows.length).toBeLessThan(7);
  });

  it('a claimed reply comes back with exactly its rows and uuid, whatever arrived since', () => {
    const claimed = [started(0), finished(0)].map((r) => ({ ...r, batch: 'B-1' }));
    const reply = nextThreadReply(
      [claimed[0], patch(), claimed[1], started(1), finished(1)] as OutboxRow[],
      SHANGHAI_EN,
    );
    expect(reply.claimed).toBe(true);
    expect(reply.uuid).toBe('B-1');
    expect(reply.rows).toEqual(claimed);
    expect(lines(reply.message)).toHaveLength(2);
    // A row claimed by another reply is never taken into a new one.
    const fresh = nextThreadReply([started(2), { ...finished(2), batch: 'B-2' }], SHANGHAI_EN);
    expect(fresh.rows).toHaveLength(1);
  });

  it('uuids stay within Lark limit of 50 characters and differ per grouping', () => {
    const long = { uuid: 'r'.repeat(48) };
    expect(replyUuid(long, 1)).toBe(long.uuid);
    expect(replyUuid(long, 12).length).toBeLessThanOrEqual(50);
    expect(replyUuid(long, 12)).not.toBe(replyUuid(long, 13));
  });

  it('joinPosts keeps each post paragraphs in order, per language', () => {
    const joined = joinPosts([postFromTexts('一\n二', 'one\ntwo'), postFromTexts('三', 'three')]);
    expect(postText(joined, 'en_us')).toBe('one\ntwo\nthree');
    expect(postText(joined, 'zh_cn')).toBe('一\n二\n三');
  });
});
