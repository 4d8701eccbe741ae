import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/worker/runtime.js';
import {
  approveValueOf,
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  ONCALL,
  replyTo,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';

/** Issue 14 item 1: `at=`, the `scheduled` state, notice and reminder, start on time, cancel, restarts, drift. */

let h: Harness;
beforeAll(async () => {
  // One reminder 2 s before the start; the seed's 24 h notice period (so every test start is "too short").
  h = await startHarness({ env: { SCHEDULE_REMINDERS: '2s', SCHEDULE_NOTICE: '24h' } });
});
afterAll(async () => {
  await h?.close();
});

type Card = { messageId: string; content: unknown };
const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
const current = (card: Card): Card => h.sandbox.message(card.messageId) ?? card;
const approveValue = (card: Card) => approveValueOf(current(card));
const replies = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType !== 'interactive');
const lastReply = () => replies().length;

async function say(text: string): Promise<void> {
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
}

/** Request `bound` at `at`, approve it, and wait until it is scheduled. */
async function schedule(at: string): Promise<{ card: Card; runId: string; plan: string }> {
  writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
  const before = cards().length;
  await say(`/rollback bound at=${at}`);
  const card = await h.sandbox.waitFor(() => cards()[before], 10_000);
  const value = await h.sandbox.waitFor(() => approveValue(card), 10_000);
  const click = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
  expect(click.toast?.type).toBe('success');
  expect(JSON.stringify(click.toast)).toContain('scheduled time');
  await runState(h, value.run, 'scheduled');
  return { card, runId: value.run, plan: value.plan };
}

const threadHas = (card: Card, pattern: RegExp) =>
  h.sandbox.waitFor(() => h.sandbox.threadOf(card.messageId).find((m) => pattern.test(textOf(m))), 15_000);

describe('scheduling a rollback (at=)', () => {
  it('answers a bad at= with what is wrong and how to write it', async () => {
    for (const [at, what] of [
      ['2020-01-01T02:00', 'is in the past'],
      ['+30d', 'more than 7 days ahead'],
      ['soon', 'cannot read the start time "soon"'],
    ] as const) {
      const before = lastReply();
      await say(`/rollback bound at=${at}`);
      const reply = await h.sandbox.waitFor(
        () =>
          replies()
            .slice(before)
            .find((m) => /at=window/.test(textOf(m))),
        10_000,
      );
      const zh = JSON.stringify(reply.content);
      expect(textOf(reply)).toContain(what);
      expect(textOf(reply)).toContain('at=window');
      expect(zh).toContain('写法');
    }
    const runs = await h.ctx.pool.query(`SELECT count(*)::int AS n FROM runs`);
    expect(runs.rows[0].n).toBe(0);
  });

  it('shows the start, notices the chat, reminds it, and starts on time after a re-run preflight', async () => {
    // Far enough ahead that request, preflight and approval are done before it, even on a loaded machine.
    const { card, runId } = await schedule('+10s');
    const row0 = (await h.ctx.pool.query(`SELECT start_at, created_at FROM runs WHERE id = $1`, [runId]))
      .rows[0];
    const startAt = row0.start_at as Date;
    const ahead = startAt.getTime() - (row0.created_at as Date).getTime();
    expect(ahead).toBeGreaterThan(9000);
    expect(ahead).toBeLessThan(11_000);
    // The card, while scheduled, says so, with the start in TIMEZONE.
    const scheduled = JSON.stringify(current(card).content);
    expect(scheduled).toContain('Scheduled');
    expect(scheduled).toContain('已预约');
    expect(scheduled).toContain('Starts at:** ');
    expect(scheduled).toContain('计划开始');
    const notice = await threadHas(card, /is scheduled for .*Asia\/Shanghai/);
    expect(textOf(notice)).toContain('/rollback cancel');
    const reminder = await threadHas(card, /^Reminder: /);
    expect(textOf(reminder)).toContain('Asia/Shanghai');
    await runState(h, runId, 'succeeded', 30_000);
    const row = (await h.ctx.pool.query(`SELECT started_at, view FROM runs WHERE id = $1`, [runId])).rows[0];
    expect((row.started_at as Date).getTime()).toBeGreaterThanOrEqual(startAt.getTime());
    // The approval card said when, and that the seed's 24 h notice period is not met.
    const notices = JSON.stringify(row.view.notices);
    expect(notices).toContain('Once approved, it starts at');
    expect(notices).toContain('24-hour notice to the team is not met');
    expect(notices).toContain('未满足运维手册要求的提前 24 小时通知团队');
    // One reminder, once, however many sweeps ran.
    const reminders = h.sandbox.threadOf(card.messageId).filter((m) => /^Reminder: /.test(textOf(m)));
    expect(reminders).toHaveLength(1);
  });

  it('holds the target while scheduled, and cancels cleanly', async () => {
    const { runId } = await schedule('+1h');
    const before = lastReply();
    await say('/rollback bound');
    const busy = await h.sandbox.waitFor(
      () =>
        replies()
          .slice(before)
          .find((m) => /already has an active run/.test(textOf(m))),
      10_000,
    );
    expect(textOf(busy)).toContain('already has an active run');
    expect(textOf(busy)).toContain('Scheduled');
    // `/rollback status` says when it starts, in TIMEZONE.
    const status = textOf(await replyTo(h, CHAT, ONCALL, '/rollback status'));
    expect(status).toMatch(
      new RegExp(`${runId} .* \\(starts \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\+08:00\\)`),
    );
    await say(`/rollback cancel ${runId}`);
    await runState(h, runId, 'cancelled');
    const ran = await h.ctx.pool.query(
      `SELECT count(*)::int AS n FROM steps WHERE run_id = $1 AND started_at IS NOT NULL`,
      [runId],
    );
    expect(ran.rows[0].n).toBe(0);
  });

  it('survives a worker restart and a flush of its queue keys', async () => {
    const { runId } = await schedule('+8s');
    await h.worker.close(5000);
    // The delayed start job is gone with its keys (only this harness's prefix, on the shared Redis).
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const keys = await redis.keys(`${h.ctx.config.QUEUE_PREFIX}:*`);
      expect(keys.some((k) => k.includes(':start:'))).toBe(true);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    h.worker = await startWorker(h.ctx, { sweepMs: 1000, pollMs: 200 });
    await runState(h, runId, 'succeeded', 30_000);
  });

  it('asks for a new approval when the state drifted between approval and start', async () => {
    const { card, runId, plan } = await schedule('+8s');
    writeFileSync(join(h.markerDir, 'revision'), 'base');
    await runState(h, runId, 'awaiting_approval', 30_000);
    await threadHas(card, /state changed since approval/);
    const again = await eventually(async () => {
      const v = approveValue(card);
      return v && v.plan !== plan ? v : undefined;
    });
    const ran = await h.ctx.pool.query(
      `SELECT count(*)::int AS n FROM steps WHERE run_id = $1 AND state <> 'pending'`,
      [runId],
    );
    expect(ran.rows[0].n).toBe(0);
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value: { action: 'reject', run: again.run },
    });
    await runState(h, runId, 'rejected');
  });
});
