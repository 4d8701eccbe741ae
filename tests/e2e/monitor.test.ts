import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  eventually,
  type Harness,
  ONCALL,
  replyTo,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

/**
 * Issue 14 item 4: the seed's post-rollback monitoring (最佳实践 4. 回滚后监控) as the `monitor` runbook, through
 * the whole bot (sandbox → server → worker → sandbox) against the running example app: read-only, so it runs with
 * nobody approving; its three checks' results reach the thread; a probe that fails says why.
 */
let h: Harness;
let service: LarkService;
const PASSWORD = 'monitor-e2e-db-password';

beforeAll(async () => {
  service = await startLarkService(PASSWORD);
  h = await startHarness({ env: service.env });
  await execa('examples/lark-service/app', ['start'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL,
      LARK_SERVICE_URL: service.url,
      LARK_SERVICE_STATE_DIR: service.env.LARK_SERVICE_STATE_DIR,
    },
    extendEnv: false,
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await service?.close();
});

/** Ask for a run; it needs no approval, so wait for its card and then its final state. */
async function monitor(text: string, final: 'succeeded' | 'failed') {
  const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
  const before = cards().length;
  const count = (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
  const run = await eventually(async () => {
    const rows = (await h.ctx.pool.query('SELECT id FROM runs ORDER BY created_at')).rows;
    return rows.length > count ? rows[rows.length - 1] : undefined;
  }, 15_000);
  await runState(h, run.id, final, 90_000);
  const summary = await h.sandbox.waitFor(
    () => h.sandbox.threadOf(card.messageId).find((m) => /RTO|Total time|总耗时/.test(textOf(m))),
    15_000,
  );
  const steps = await h.ctx.pool.query(
    'SELECT step_id, state, output_tail FROM steps WHERE run_id = $1 ORDER BY idx',
    [run.id],
  );
  return { runId: run.id as string, card, summary, steps: steps.rows };
}

describe('/rollback monitor', () => {
  it('runs on its own with no approval: connections, p95 and the logs, each result in the thread', {
    timeout: 120_000,
  }, async () => {
    const { runId, card, steps } = await monitor('/rollback monitor watch=2s', 'succeeded');
    expect(steps.map((s) => [s.step_id, s.state])).toEqual([
      ['db-connections', 'succeeded'],
      ['latency', 'succeeded'],
      ['watch-logs', 'succeeded'],
    ]);
    const approvals = await h.ctx.pool.query('SELECT count(*)::int AS n FROM approvals WHERE run_id = $1', [
      runId,
    ]);
    expect(approvals.rows[0].n).toBe(0);
    // No approval was needed, and the card and the history say so rather than "none" / "not approved".
    const final = JSON.stringify(h.sandbox.message(card.messageId)?.content);
    expect(final).toContain('no approval needed (read-only runbook)');
    expect(final).toContain('无需审批（只读流程）');
    const history = textOf(await replyTo(h, CHAT, ONCALL, '/rollback history monitor'));
    expect(history).toMatch(new RegExp(`${runId} .*no approval needed`));
    const thread = h.sandbox.threadOf(card.messageId).map(textOf);
    expect(thread.find((t) => / · Database connections healthy — succeeded/.test(t))).toMatch(
      /\n\d+\/\d+ connections in use \(limit \d+, \d+ free for ordinary roles\); .*none idle in a transaction for 1m00s/,
    );
    expect(thread.find((t) => / · API response time \(p95\) — succeeded/.test(t))).toMatch(
      /\nGET .*\/health\/ready: 20 request\(s\), p95 [\d.]+ms under 500ms \(p50 [\d.]+ms, p95 [\d.]+ms, max [\d.]+ms\)/,
    );
    expect(thread.find((t) => / · No ERROR in the app's logs — succeeded/.test(t))).toBeDefined();
    // Read-only: the app is still up and the database untouched.
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    const everything = [...h.sandbox.messages().map((m) => JSON.stringify(m)), ...h.logs].join('\n');
    expect(everything).not.toContain(PASSWORD);
  });

  it('by its Chinese alias; a probe that fails ends the run failed with the reason, and the rest is skipped', {
    timeout: 120_000,
  }, async () => {
    const { steps, summary } = await monitor('/回滚 监控 path=/no-such-api watch=2s', 'failed');
    expect(steps.map((s) => [s.step_id, s.state])).toEqual([
      ['db-connections', 'succeeded'],
      ['latency', 'failed'],
      ['watch-logs', 'skipped'],
    ]);
    expect(steps[1]?.output_tail).toMatch(
      /latency: GET .*\/no-such-api: request 1\/20 answered 404 \{"error":"not found"\} \(a latency probe needs a 2xx answer\)/,
    );
    expect(textOf(summary)).toMatch(
      /^❌ Failed: Post-rollback monitoring \(target lark-service\) — 2\. API response time \(p95\) · exit code 1\n/,
    );
  });

  it('a bad parameter is refused with how to write it, and nothing runs', { timeout: 60_000 }, async () => {
    const count = (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: '/rollback monitor p95=fast',
    });
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      15_000,
    );
    expect(textOf(reply)).toContain('p95 must be 1–5 digits, then ms');
    expect((await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(count);
  });

  it('refuses at= for a runbook that needs no approval (nothing would hold it until then)', async () => {
    const count = (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    const reply = await replyTo(h, CHAT, ONCALL, '/rollback monitor at=+1h');
    expect(textOf(reply)).toContain('monitor is read-only and needs no approval, so it runs at once');
    expect(JSON.stringify(reply.content)).toContain('不能用 at= 预约');
    expect((await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(count);
  });
});
