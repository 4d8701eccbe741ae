import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../cards/format.js';
import {
  approveValueOf,
  CHAT,
  type Harness,
  LEAD_A,
  LEAD_B,
  ONCALL,
  replyTo,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { postText } from '../helpers/messages.js';

/**
 * Issue 14 item 2 through the sandbox: the approval card's expected duration from the runs recorded in
 * Postgres, the summary's comparison with earlier runs, and `/rollback history`.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Message = { messageId: string; msgType: string; content: unknown };
const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
const current = (card: Message) => h.sandbox.message(card.messageId) ?? card;
const both = (m: Message) => ({ en: postText(m, 'en_us'), zh: postText(m, 'zh_cn') });

/** `/rollback <text>` from the on-call engineer; the approval card once its Approve is there. */
async function request(text: string): Promise<{ card: Message; runId: string; plan: string }> {
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  const card = await h.sandbox.waitFor(() => cards()[before], 10_000);
  const value = await h.sandbox.waitFor(() => approveValueOf(current(card)), 10_000);
  return { card, runId: value.run, plan: value.plan };
}

async function approveAndFinish(card: Message, runId: string, plan: string, lead: string, end = 'succeeded') {
  const click = await h.sandbox.click({
    operatorOpenId: lead,
    messageId: card.messageId,
    value: { action: 'approve', run: runId, plan },
  });
  expect(click.toast?.type).toBe('success');
  await runState(h, runId, end);
  return h.sandbox.waitFor(
    () => h.sandbox.threadOf(card.messageId).find((m) => /Total time/.test(textOf(m))),
    15_000,
  );
}

/** Start-to-finish of the succeeded `thin` runs, as Postgres recorded them, newest first. */
async function recordedDurations(): Promise<number[]> {
  const rows = await h.ctx.pool.query(
    `SELECT started_at, finished_at FROM runs WHERE runbook_id = 'thin' AND state = 'succeeded'
     ORDER BY finished_at DESC`,
  );
  return rows.rows.map((r) => (r.finished_at as Date).getTime() - (r.started_at as Date).getTime());
}

const runIds: string[] = [];

describe('measured durations', () => {
  it('says plainly on the first request that no run is recorded, and the summary has nothing to compare', async () => {
    const { card, runId, plan } = await request('/rollback thin');
    runIds.push(runId);
    const json = JSON.stringify(current(card).content);
    expect(json).toContain('no successful run of this runbook on this target recorded yet');
    expect(json).toContain('该目标上还没有此回滚流程成功执行的记录');
    expect(json).not.toContain('Reserve');
    const summary = await approveAndFinish(card, runId, plan, LEAD_A);
    expect(both(summary).en).toContain(
      'no earlier successful run of this runbook on this target to compare with',
    );
    expect(both(summary).zh).toContain('以前没有成功执行的记录');
  });

  it('compares the second run with the first, as Postgres recorded it', async () => {
    const [first] = await recordedDurations();
    if (first === undefined) throw new Error('the first run is not recorded');
    const { card, runId, plan } = await request('/rollback thin');
    runIds.push(runId);
    const json = JSON.stringify(current(card).content);
    expect(json).toContain(`Expected duration:** ${formatDuration(first)} (the last successful run)`);
    const summary = await approveAndFinish(card, runId, plan, LEAD_B);
    expect(both(summary).en).toContain(`the last successful run: ${formatDuration(first)}`);
    expect(both(summary).zh).toContain(`上一次成功执行 ${formatDuration(first, 'zh-CN')}`);
  });

  it('shows the median of the two recorded runs, the 3x reserve and the RTO on the next approval card', async () => {
    const durations = await recordedDurations();
    expect(durations).toHaveLength(2);
    const [a, b] = durations as [number, number];
    const median = (a + b) / 2;
    const { card, runId } = await request('/rollback thin');
    runIds.push(runId);
    const json = JSON.stringify(current(card).content);
    expect(json).toContain(
      `Expected duration:** ${formatDuration(median)} (median of the last 2 successful runs)`,
    );
    expect(json).toContain(`预计用时**：${formatDuration(median, 'zh-CN')}（最近 2 次成功执行的中位数）`);
    expect(json).toContain(
      `(3× the operation time, as the rollback guide asks): ${formatDuration(3 * median)} against an RTO of 15m 00s`,
    );
    expect(json).toContain(`按手册预留 3 倍操作时间）：${formatDuration(3 * median, 'zh-CN')}，RTO 15分00秒`);
    const stored = await h.ctx.pool.query(`SELECT view FROM runs WHERE id = $1`, [runId]);
    expect(stored.rows[0].view.durations).toEqual({ successes: 2, medianMs: median, reserveMs: 3 * median });
    // Called off by its requester: it shows in the history as cancelled, never started.
    const cancelled = await replyTo(h, CHAT, ONCALL, `/rollback cancel ${runId}`);
    expect(textOf(cancelled)).toContain('cancelled');
    await runState(h, runId, 'cancelled');
  });
});

describe('/rollback history', () => {
  it('lists the finished runs with outcome, start time, duration and approvers, in both languages', async () => {
    const failing = await request('/rollback failing');
    await approveAndFinish(failing.card, failing.runId, failing.plan, LEAD_A, 'failed');
    const reply = await replyTo(h, CHAT, ONCALL, '/rollback history');
    const { en, zh } = both(reply);
    const lines = en.split('\n');
    expect(lines[0]).toBe(
      "The last 4 finished runs on this chat's targets, newest first (times in Asia/Shanghai):",
    );
    expect(zh.split('\n')[0]).toBe('最近 4 次本群目标上的回滚（新的在前，时间为 Asia/Shanghai）：');
    const rows = await h.ctx.pool.query(
      `SELECT id, state, started_at, finished_at FROM runs ORDER BY coalesce(finished_at, created_at) DESC`,
    );
    expect(rows.rows.map((r) => r.id)).toEqual([failing.runId, runIds[2], runIds[1], runIds[0]]);
    const lineOf = (text: string, id: string) => text.split('\n').find((l) => l.includes(id)) ?? '';
    for (const row of rows.rows) {
      const line = lineOf(en, row.id);
      if (row.started_at) {
        const took = (row.finished_at as Date).getTime() - (row.started_at as Date).getTime();
        expect(line).toContain(`took ${formatDuration(took)}`);
        expect(lineOf(zh, row.id)).toContain(`用时 ${formatDuration(took, 'zh-CN')}`);
        expect(line).toMatch(/started \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/);
      }
    }
    expect(lineOf(en, failing.runId)).toContain('❌ ');
    expect(lineOf(en, failing.runId)).toContain('failing → demo-db · Failed');
    expect(lineOf(en, failing.runId)).toContain(`approved by @${LEAD_A}`);
    expect(lineOf(en, runIds[0] ?? '')).toContain(`Succeeded · started`);
    expect(lineOf(en, runIds[0] ?? '')).toContain(`approved by @${LEAD_A}`);
    expect(lineOf(en, runIds[1] ?? '')).toContain(`approved by @${LEAD_B}`);
    expect(lineOf(zh, runIds[1] ?? '')).toContain(`成功 · 开始于`);
    expect(lineOf(zh, runIds[1] ?? '')).toContain(`批准人 @${LEAD_B}`);
    expect(lineOf(en, runIds[2] ?? '')).toContain('Cancelled');
    expect(lineOf(en, runIds[2] ?? '')).toContain('never started · not approved');
    expect(lineOf(en, runIds[2] ?? '')).toContain(`cancelled by @${ONCALL}`);
    // The approvers are mentions (Lark shows their names), not ids in the text.
    const content = JSON.stringify(reply.content);
    expect(content).toContain(`{"tag":"at","user_id":"${LEAD_B}"}`);
    expect(content).not.toContain('{@');
  });

  it('narrows to a runbook and a target, and a lone word may be either', async () => {
    const thin = both(await replyTo(h, CHAT, ONCALL, '/rollback history thin demo-db')).en;
    expect(thin.split('\n')[0]).toContain('The last 3 finished runs of thin on demo-db');
    expect(thin).not.toContain('failing');
    const onTarget = both(await replyTo(h, CHAT, ONCALL, '/rollback history demo-db')).en;
    expect(onTarget.split('\n')[0]).toContain('The last 4 finished runs on demo-db');
    const alias = both(await replyTo(h, CHAT, ONCALL, '/回滚 历史 薄')).zh;
    expect(alias.split('\n')[0]).toBe('最近 3 次本群目标上 thin 的回滚（新的在前，时间为 Asia/Shanghai）：');
  });

  it('says so when there is no history', async () => {
    const reply = both(await replyTo(h, CHAT, ONCALL, '/rollback history other-db'));
    expect(reply.en).toBe('No finished runs on other-db yet.');
    expect(reply.zh).toBe('目标 other-db 上还没有已结束的回滚。');
  });

  it('answers a name that is neither a runbook nor a target here with what exists', async () => {
    const unknown = both(await replyTo(h, CHAT, ONCALL, '/rollback history nosuch'));
    expect(unknown.en).toBe(
      'There is no runbook or target "nosuch". Runbooks: bound, failing, optional, thin. Targets of this chat: demo-db, other-db. Write /rollback history [runbook] [target].',
    );
    expect(unknown.zh).toContain('没有名为 "nosuch" 的回滚流程或目标。');
    expect(unknown.zh).toContain('可用的回滚流程：bound、failing、optional、thin');
    const typo = both(await replyTo(h, CHAT, ONCALL, '/rollback history thn demo-db'));
    expect(typo.en).toContain('There is no runbook "thn". Did you mean thin?');
    const target = both(await replyTo(h, CHAT, ONCALL, '/rollback history thin prod-db'));
    expect(target.en).toContain('"prod-db" is not a target of this chat.');
    expect(target.en).toContain('Targets of this chat: demo-db, other-db.');
    const help = both(await replyTo(h, CHAT, ONCALL, '/rollback help'));
    expect(help.en).toContain('/rollback history [runbook] [target]');
    expect(help.zh).toContain('/rollback history [回滚流程] [目标]');
  });
});
