import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  type Harness,
  LEAD_A,
  LEAD_B,
  ONCALL,
  OTHER_CHAT,
  runState,
  SECRET,
  STRANGER,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { postText, threadEntries } from '../helpers/messages.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (process.env.E2E_DUMP_LOGS) console.log(h.logs.filter((l) => !l.includes('"level":30')).join('\n'));
  await h?.close();
});

const cardsIn = (chatId: string) => h.sandbox.botMessages(chatId).filter((m) => m.msgType === 'interactive');
const repliesTo = (messageId: string) =>
  h.sandbox
    .botMessages()
    .filter((m) => m.parentId === messageId && (m.msgType === 'text' || m.msgType === 'post'));

async function requestCard(text: string, sender = ONCALL) {
  const before = cardsIn(CHAT).length;
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: sender, text });
  expect(said.status).toBe(200);
  return h.sandbox.waitFor(() => cardsIn(CHAT)[before], 10_000);
}

function approveValue(card: { content: unknown }) {
  const json = JSON.stringify(card.content);
  const match = /"value":(\{"action":"approve"[^}]*\})/.exec(json);
  if (!match?.[1]) throw new Error(`no approve button in ${json.slice(0, 300)}`);
  return JSON.parse(match[1]) as { action: string; run: string; plan: string };
}

describe('the whole flow through the sandbox', () => {
  it('runs: command → approval card → lead approves → steps in the thread → summary', async () => {
    const card = await requestCard('/rollback thin');
    const value = approveValue(card);
    expect(value.run).toMatch(/^r[0-9a-z]{10}$/);

    const clicked = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(clicked.status).toBe(200);
    expect(clicked.toast?.type).toBe('success');
    expect(JSON.stringify(clicked.card)).not.toContain('"action":"approve"');

    const summary = await h.sandbox.waitFor(
      () => repliesTo(card.messageId).find((m) => /succeeded|成功/i.test(textOf(m)) && /RTO/.test(textOf(m))),
      20_000,
    );
    expect(summary).toBeDefined();
    const thread = threadEntries(repliesTo(card.messageId));
    // Start and end of each of the three steps, in order, then the summary.
    const titles = ['Stop the application', 'Downgrade the migration', 'Restart the application'];
    const lines = thread.filter((t) => titles.some((title) => t.includes(title)));
    expect(lines).toHaveLength(6);
    for (const [i, title] of titles.entries()) {
      expect(lines[2 * i]).toContain(title);
      expect(lines[2 * i]).toMatch(/\b\d{2}:\d{2}:\d{2}\b/);
      expect(lines[2 * i]).toMatch(/T\+\d{2}:\d{2}/);
      expect(lines[2 * i + 1]).toContain(title);
      expect(lines[2 * i + 1]).toMatch(/T\+\d{2}:\d{2}/);
    }
    expect(readFileSync(join(h.markerDir, 'runs.log'), 'utf8')).toBe('stop-app\ndowngrade -1\nrestart\n');
    // The card was edited in place to the summary.
    const final = h.sandbox.message(card.messageId);
    expect(final?.history.length).toBeGreaterThan(1);
    const state = await h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [value.run]);
    expect(state.rows[0].state).toBe('succeeded');
  });

  it('marks a failing step with its exit code, fails the run, and never leaks the secret', async () => {
    const card = await requestCard('/rollback failing other-db');
    const value = approveValue(card);
    await h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value });
    const failedLine = await h.sandbox.waitFor(
      () => repliesTo(card.messageId).find((m) => /exit code 3/.test(textOf(m))),
      20_000,
    );
    expect(textOf(failedLine)).toContain('***');
    await runState(h, value.run, 'failed');
    const steps = await h.ctx.pool.query(
      'SELECT step_id, state, exit_code, output_tail, result FROM steps WHERE run_id = $1 ORDER BY idx',
      [value.run],
    );
    expect(steps.rows.map((s) => [s.step_id, s.state, s.exit_code])).toEqual([
      ['check', 'succeeded', 0],
      ['leaky', 'failed', 3],
      ['never', 'skipped', null],
    ]);
    expect(steps.rows[1].output_tail).toContain('token is ***');
    // What the succeeded step said follows its end reply; the step never run says why it is skipped.
    expect(steps.rows[0].result).toEqual({ 'zh-CN': 'ok', 'en-US': 'ok' });
    const thread = () => threadEntries(repliesTo(card.messageId));
    expect(thread().find((t) => / · Check — succeeded in /.test(t))).toMatch(/ — succeeded in [^\n]+\nok$/);
    expect(steps.rows[2].result['en-US']).toBe('not run: an earlier step failed and the run stopped');
    // A failed run is never "within budget": the summary says the time and the RTO only.
    const summary = await h.sandbox.waitFor(() => thread().find((t) => /^❌ Failed: /.test(t)), 20_000);
    expect(summary).toMatch(/\nTotal time [\d.]+m?s \(RTO 1m 00s\)\n/);
    const finalCard = await h.sandbox.waitFor(() => {
      const json = JSON.stringify(h.sandbox.message(card.messageId)?.content);
      return json.includes('**Outcome:** ❌') ? json : undefined;
    }, 20_000);
    expect(finalCard).not.toMatch(/within budget|在预算内/);
    expect(finalCard).toMatch(/\*\*Total time:\*\* [\d.]+m?s \(RTO 1m 00s\)/);
    expect(finalCard).toContain('⏭ 3. Never runs — skipped · not run&#58; an earlier step failed');
    // Nothing sent to Lark, logged, or stored holds the secret.
    const sent = h.sandbox.requests().map((r) => JSON.stringify(r));
    const everything = [...sent, ...h.sandbox.messages().map((m) => JSON.stringify(m)), ...h.logs].join('\n');
    expect(everything).not.toContain(SECRET);
    const dump = await h.ctx.pool.query(
      `SELECT string_agg(t::text, ' ') AS all FROM (SELECT * FROM steps) t`,
    );
    expect(dump.rows[0].all).not.toContain(SECRET);
  });

  it('ends a step skipped, never succeeded, when its when does not hold or its check says skipped', async () => {
    const card = await requestCard('/rollback optional');
    const value = approveValue(card);
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    await runState(h, value.run, 'succeeded');
    const steps = await h.ctx.pool.query(
      'SELECT step_id, state, attempt, result, output_tail FROM steps WHERE run_id = $1 ORDER BY idx',
      [value.run],
    );
    expect(steps.rows.map((s) => [s.step_id, s.state, s.attempt])).toEqual([
      ['prep', 'succeeded', 1],
      ['self-skip', 'skipped', 1],
      ['restore', 'skipped', 0],
      ['after', 'succeeded', 1],
    ]);
    expect(steps.rows[1].result).toEqual({ 'zh-CN': '无事可做', 'en-US': 'nothing to do' });
    expect(steps.rows[1].output_tail).not.toContain('::result');
    expect(steps.rows[2].result['en-US']).toBe('restore=no, not needed (runs only when restore=yes)');
    const thread = await h.sandbox.waitFor(() => {
      const lines = threadEntries(repliesTo(card.messageId));
      return lines.some((t) => /^✅ Succeeded: /.test(t)) ? lines : undefined;
    }, 20_000);
    expect(thread).toContainEqual(expect.stringMatching(/ · Decides to skip — skipped: nothing to do$/));
    expect(thread).toContainEqual(
      expect.stringMatching(
        / · Restore \(only when restore=yes\) — skipped: restore=no, not needed \(runs only when restore=yes\)$/,
      ),
    );
    expect(thread.filter((t) => /Restore \(only when restore=yes\) — started/.test(t))).toEqual([]);
    expect(thread.some((t) => /Decides to skip — succeeded/.test(t))).toBe(false);
    const log = join(h.markerDir, 'runs.log');
    const runs = existsSync(log) ? readFileSync(log, 'utf8') : '';
    expect(runs).not.toContain('restore');
    const json = await h.sandbox.waitFor(() => {
      const text = JSON.stringify(h.sandbox.message(card.messageId)?.content);
      return text.includes('**Outcome:** ✅') ? text : undefined;
    }, 20_000);
    expect(json).toContain('⏭ 2. Decides to skip — skipped');
    expect(json).toContain('⏭ 3. Restore &#40;only when restore=yes&#41; — skipped · restore=no');
  });

  it('refuses a command from another chat politely', async () => {
    await h.sandbox.userSays({ chatId: OTHER_CHAT, senderOpenId: ONCALL, text: '/rollback thin' });
    const reply = await h.sandbox.waitFor(() => h.sandbox.botMessages(OTHER_CHAT)[0], 10_000);
    expect(textOf(reply)).toMatch(/only act in the configured incident chats/);
    const runs = await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs WHERE chat_id = $1', [
      OTHER_CHAT,
    ]);
    expect(runs.rows[0].n).toBe(0);
  });

  it('answers an unknown command briefly: what was wrong, the runbooks, where the usage is', async () => {
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: '/rollback frobnicate now',
    });
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      10_000,
    );
    expect(textOf(reply)).toContain('There is no runbook or command "frobnicate"');
    expect(textOf(reply)).toMatch(/Runbooks: .*thin/);
    expect(textOf(reply)).toContain('Send /rollback help for the usage.');
    expect(textOf(reply)).not.toContain('Usage:');
  });

  it('names the parameter and its allowed values (not a regex) for a bad value, and starts no run', async () => {
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: '/rollback thin revision=abc; rm -rf /',
    });
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      10_000,
    );
    expect(textOf(reply)).toContain('revision must be -1, base or 12 hex digits');
    expect(postText(reply, 'zh_cn')).toContain('revision 须为 -1、base 或 12 位十六进制数字');
    expect(textOf(reply)).not.toContain('^(');
  });

  it('lets only Tech Leads approve, and never the requester', async () => {
    const card = await requestCard('/rollback thin', LEAD_A);
    const value = approveValue(card);
    const stranger = await h.sandbox.click({ operatorOpenId: STRANGER, messageId: card.messageId, value });
    expect(stranger.toast?.type).toBe('error');
    expect(stranger.toast?.content).toMatch(/Only a Tech Lead/);
    const self = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(self.toast?.content).toMatch(/four-eyes/);
    const state = await h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [value.run]);
    expect(state.rows[0].state).toBe('awaiting_approval');
    // Two leads at once plus a double click: one approval wins, one execution.
    const clicks = await Promise.all([
      h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value }),
      h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value }),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    expect(clicks.filter((c) => c.toast?.type === 'success')).toHaveLength(1);
    await runState(h, value.run, 'succeeded');
    const attempts = await h.ctx.pool.query('SELECT max(attempt)::int AS n FROM steps WHERE run_id = $1', [
      value.run,
    ]);
    expect(attempts.rows[0].n).toBe(1);
  });
});

describe('health and metrics', () => {
  it('reports each dependency on /health/ready and counts from Postgres on /metrics', async () => {
    const live = await fetch(`${h.server.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${h.server.url}/health/ready`);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { postgres: 'up', migrations: 'up', redis: 'up' },
    });
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    const succeeded = (
      await h.ctx.pool.query(`SELECT count(*)::int AS n FROM runs WHERE state = 'succeeded'`)
    ).rows[0].n;
    expect(succeeded).toBeGreaterThan(0);
    expect(metrics).toContain(`rollback_bot_runs{state="succeeded"} ${succeeded}`);
    expect(metrics).toMatch(
      /rollback_bot_event_ack_seconds_count\{route="\/lark\/events",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(/rollback_bot_outbox_messages\{state="sent"\} [1-9]/);
  });
});
