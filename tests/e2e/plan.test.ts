import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  ONCALL,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Card = { messageId: string; content: unknown };
const approveValue = (card: Card) => {
  const match = /"value":(\{"action":"approve"[^}]*\})/.exec(JSON.stringify(card.content));
  return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
};
const current = (card: Card): Card => h.sandbox.message(card.messageId) ?? card;

async function request(): Promise<Card> {
  const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback bound' });
  return h.sandbox.waitFor(() => cards()[before], 10_000);
}

describe('preflight and the plan an approval binds to', () => {
  it('shows the preflight on the card, and offers Approve only when it is all ok', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    writeFileSync(join(h.markerDir, 'down'), 'yes');
    const card = await request();
    const failed = await h.sandbox.waitFor(() => {
      const c = current(card);
      return JSON.stringify(c.content).includes('connection refused') ? c : undefined;
    }, 10_000);
    expect(approveValue(failed)).toBeUndefined();
    expect(JSON.stringify(failed.content)).toContain('6fc3f28b87c8');
    const runId = (
      await h.ctx.pool.query(`SELECT id FROM runs WHERE runbook_id = 'bound' AND state = 'awaiting_approval'`)
    ).rows[0].id;
    // Clear the way for the next test: reject this one.
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value: { action: 'reject', run: runId },
    });
    await runState(h, runId, 'rejected');
    rmSync(join(h.markerDir, 'down'));
  });

  it('stops before any step when the state drifted between approval and execution, and asks again', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    const card = await request();
    const ready = await h.sandbox.waitFor(() => approveValue(current(card)) && current(card), 10_000);
    const first = approveValue(ready);
    if (!first) throw new Error('no approve button');
    // After the Tech Lead read the card, before the bot starts, someone else downgrades the database.
    writeFileSync(join(h.markerDir, 'revision'), 'base');
    expect(
      (await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: first })).toast
        ?.type,
    ).toBe('success');
    await runState(h, first.run, 'awaiting_approval');
    expect(existsSync(join(h.markerDir, 'bound.log'))).toBe(false);
    const ran = await h.ctx.pool.query(
      `SELECT count(*)::int AS n FROM steps WHERE run_id = $1 AND state <> 'pending'`,
      [first.run],
    );
    expect(ran.rows[0].n).toBe(0);
    const notice = await h.sandbox.waitFor(
      () => h.sandbox.threadOf(card.messageId).find((m) => /state changed since approval/.test(textOf(m))),
      10_000,
    );
    expect(textOf(notice)).toContain('base');
    // The old approval no longer counts: the new card carries a new plan hash.
    const again = await h.sandbox.waitFor(() => {
      const value = approveValue(current(card));
      return value && value.plan !== first.plan ? value : undefined;
    }, 10_000);
    const stale = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: first });
    expect(stale.toast?.type).toBe('warning');
    expect(
      (await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: again })).toast
        ?.type,
    ).toBe('success');
    await runState(h, first.run, 'succeeded');
    expect(readFileSync(join(h.markerDir, 'bound.log'), 'utf8')).toBe('downgrade\n');
    await eventually(async () =>
      (
        await h.ctx.pool.query(`SELECT attempt FROM steps WHERE run_id = $1 AND step_id = 'stop-app'`, [
          first.run,
        ])
      ).rows[0].attempt === 1
        ? true
        : undefined,
    );
  });
});
