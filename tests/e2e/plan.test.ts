import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  LEAD_B,
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

async function request(senderOpenId = ONCALL): Promise<Card> {
  const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId, text: '/rollback bound' });
  return h.sandbox.waitFor(() => cards()[before], 10_000);
}

describe('preflight and the plan an approval binds to', () => {
  it('shows the preflight on the card; a failed preflight ends the request and frees the target', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    writeFileSync(join(h.markerDir, 'down'), 'yes');
    const card = await request();
    const failed = await h.sandbox.waitFor(() => {
      const c = current(card);
      return JSON.stringify(c.content).includes('connection refused') ? c : undefined;
    }, 10_000);
    const text = JSON.stringify(failed.content);
    expect(approveValue(failed)).toBeUndefined();
    expect(text).not.toContain('"action":"reject"');
    expect(text).toContain('6fc3f28b87c8');
    expect(text).toContain('this request ended (failed) and the target is free');
    expect(text).toContain('a new request can be made now');
    expect(text).toContain('本次申请已结束（失败），目标已释放');
    const runs = await h.ctx.pool.query(`SELECT state, reason FROM runs WHERE runbook_id = 'bound'`);
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0].state).toBe('failed');
    expect(runs.rows[0].reason).toContain('Database reachable: connection refused');
    rmSync(join(h.markerDir, 'down'));
    // The target is free at once: the next request gets its card, not "already has an active run".
    const next = await request();
    const ready = await h.sandbox.waitFor(() => approveValue(current(next)) && current(next), 10_000);
    const value = approveValue(ready);
    if (!value) throw new Error('no approve button');
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: next.messageId,
      value: { action: 'reject', run: value.run },
    });
    await runState(h, value.run, 'rejected');
  });

  it('names and mentions the people who may approve', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    const card = await request();
    // From the first version of the card on (the one whose mentions notify), while the preflight still runs.
    const first = JSON.stringify(card.content);
    expect(first).toContain('Approval needed from:** <at id=ou_lead_a></at> <at id=ou_lead_b></at>');
    expect(first).toContain('请审批**：<at id=ou_lead_a></at> <at id=ou_lead_b></at>');
    expect(first).not.toContain('<at id=ou_oncall></at> <at');
    const ready = await h.sandbox.waitFor(() => approveValue(current(card)) && current(card), 10_000);
    const value = approveValue(ready);
    if (!value) throw new Error('no approve button');
    await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: card.messageId,
      value: { action: 'reject', run: value.run },
    });
    await runState(h, value.run, 'rejected');
  });

  it('under four-eyes, a Tech Lead who requests is not among those asked', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    const card = await request(LEAD_A);
    const first = JSON.stringify(card.content);
    expect(first).toContain('Approval needed from:** <at id=ou_lead_b></at>\\n');
    expect(first).not.toContain('Approval needed from:** <at id=ou_lead_a></at>');
    const ready = await h.sandbox.waitFor(() => approveValue(current(card)) && current(card), 10_000);
    const value = approveValue(ready);
    if (!value) throw new Error('no approve button');
    await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: card.messageId,
      value: { action: 'reject', run: value.run },
    });
    await runState(h, value.run, 'rejected');
  });

  it('stops before any step when the state drifted between approval and execution, and asks again', async () => {
    writeFileSync(join(h.markerDir, 'revision'), '6fc3f28b87c8 (head)');
    const card = await request();
    const ready = await h.sandbox.waitFor(() => approveValue(current(card)) && current(card), 10_000);
    const first = approveValue(ready);
    if (!first) throw new Error('no approve button');
    // After the Tech Lead read the card, before the bot starts, someone else downgrades the database.
    writeFileSync(join(h.markerDir, 'revision'), 'base');
    const click = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: first });
    expect(click.toast?.type).toBe('success');
    // The click cannot know yet: it must not claim the rollback started.
    expect(JSON.stringify(click.toast)).toContain('The state is re-checked');
    expect(JSON.stringify(click.toast)).not.toContain('rollback started');
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
    expect(textOf(notice)).toContain('Current revision: 6fc3f28b87c8 (head) → base');
    expect(textOf(notice)).toContain('a new approval is needed');
    expect(textOf(notice)).not.toContain('revision=');
    // The card says it too: what changed, and the old approval is shown void, not counted.
    const replanned = await h.sandbox.waitFor(() => {
      const c = JSON.stringify(current(card).content);
      return c.includes('The state changed after approval') ? c : undefined;
    }, 10_000);
    expect(replanned).toContain('Current revision: 6fc3f28b87c8 &#40;head&#41; → base');
    expect(replanned).toContain('Approvals:** 0 / 1');
    expect(replanned).toContain('Void approvals** (plan changed): ~~<at id=ou_lead_a></at>~~');
    expect(replanned).toContain('批准后状态已变化');
    // The old approval no longer counts: the new card carries a new plan hash.
    const again = await h.sandbox.waitFor(() => {
      const value = approveValue(current(card));
      return value && value.plan !== first.plan ? value : undefined;
    }, 10_000);
    const stale = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: first });
    expect(stale.toast?.type).toBe('warning');
    expect(JSON.stringify(stale.toast)).toContain('Current revision: 6fc3f28b87c8 (head) → base');
    expect(JSON.stringify(stale.toast)).toContain('earlier approvals are void');
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
