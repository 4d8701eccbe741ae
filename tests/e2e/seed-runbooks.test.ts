import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/checks/main.js';
import { exportRun } from '../../src/runs/export.js';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness, textOf } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';
import { threadEntries } from '../helpers/messages.js';

/**
 * The seed's runbooks as shipped, through the whole bot (sandbox → server → worker → sandbox), against a
 * scratch lark_service database, real alembic, pg_dump/pg_restore and the example app.
 */
let h: Harness;
let service: LarkService;
const PASSWORD = 'seed-e2e-db-password';

beforeAll(async () => {
  service = await startLarkService(PASSWORD);
  h = await startHarness({ env: service.env });
});

afterAll(async () => {
  await h?.close();
  await service?.close();
});

const tokens = () => service.tokens();
const insertToken = (app: string) => service.insertToken(app);

/** Request, wait for the preflight to offer Approve, approve as a Tech Lead, wait for the end. */
async function runThrough(command: string, final: 'succeeded' | 'failed' = 'succeeded') {
  const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: command });
  const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
  const value = await h.sandbox.waitFor(() => {
    const match = /"value":(\{"action":"approve"[^}]*\})/.exec(
      JSON.stringify(h.sandbox.message(card.messageId)?.content),
    );
    return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
  }, 30_000);
  const clicked = Date.now();
  const answer = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
  expect(answer.toast?.type).toBe('success');
  await runState(h, value.run, final, 120_000);
  const ms = Date.now() - clicked;
  const summary = await h.sandbox.waitFor(
    () => h.sandbox.threadOf(card.messageId).find((m) => /RTO|Total time/.test(textOf(m))),
    15_000,
  );
  return { runId: value.run, card, ms, summary };
}

/** A runbook with `approval: { required: false }`: it runs once its preflight passes, nobody clicks. */
async function runWithoutApproval(command: string) {
  const before = h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive').length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: command });
  await h.sandbox.waitFor(
    () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive')[before],
    15_000,
  );
  const run = await h.ctx.pool.query('SELECT id FROM runs ORDER BY created_at DESC LIMIT 1');
  await runState(h, run.rows[0].id, 'succeeded', 120_000);
}

describe('the seed runbooks through the bot', () => {
  it('drill: tables gone after the downgrade, back after the upgrade, the test row gone', {
    timeout: 120_000,
  }, async () => {
    // From an empty database, as the seed's drill script starts: the drill's own upgrade must not count as drift.
    await execa('alembic', ['downgrade', 'base'], {
      cwd: 'examples/lark-service',
      env: { DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
    });
    const { runId, card, ms } = await runThrough('/rollback 演练');
    const steps = await h.ctx.pool.query('SELECT step_id, state FROM steps WHERE run_id = $1 ORDER BY idx', [
      runId,
    ]);
    expect(steps.rows.every((s) => s.state === 'succeeded')).toBe(true);
    expect(steps.rows.map((s) => s.step_id)).toEqual(
      expect.arrayContaining(['downgrade', 'tokens-absent', 'upgrade-again', 'row-gone']),
    );
    const thread = threadEntries(h.sandbox.threadOf(card.messageId));
    expect(thread.filter((t) => / — started$/.test(t))).toHaveLength(steps.rows.length);
    // The drill's titles carry the seed script's numbers ("2. alembic upgrade head"): never numbered twice.
    const final = JSON.stringify(h.sandbox.message(card.messageId)?.content);
    expect(final).toContain('3. alembic upgrade head — succeeded');
    expect(final).not.toMatch(/\d+\. \d+\. /);
    expect(thread.join('\n')).not.toMatch(/ · \d+\. /);
    expect(await tokens()).toEqual([]);
    console.log(`drill through the bot, approval → final state: ${ms} ms`);
  });

  it('scenario 2: a row written before the backup is back after the restore, one written after is gone', {
    timeout: 120_000,
  }, async () => {
    await insertToken('good');
    await runWithoutApproval('/rollback precheck');
    await insertToken('corrupted');
    await runThrough('/rollback corruption');
    expect(await tokens()).toEqual(['good']);
  });

  it('emergency: app stopped, downgraded, restored, restarted, health green, timeline exported', {
    timeout: 150_000,
  }, async () => {
    const { runId, card } = await runThrough('/rollback emergency restore=yes watch=3s');
    const steps = await h.ctx.pool.query('SELECT step_id, state FROM steps WHERE run_id = $1 ORDER BY idx', [
      runId,
    ]);
    expect(steps.rows.map((s) => [s.step_id, s.state])).toEqual([
      ['stop-app', 'succeeded'],
      ['backup', 'succeeded'],
      ['record', 'succeeded'],
      ['downgrade', 'succeeded'],
      ['restore', 'succeeded'],
      ['verify-revision', 'skipped'],
      ['verify-schema', 'succeeded'],
      ['start-app', 'succeeded'],
      ['health', 'succeeded'],
      ['watch-logs', 'succeeded'],
      ['db-connections', 'succeeded'],
      ['latency', 'succeeded'],
    ]);
    const health = await fetch(`${service.url}/health/ready`);
    expect(health.status).toBe(200);
    // The export, in chat and as the CLI prints it.
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: `/rollback export ${runId} csv`,
    });
    const reply = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
      10_000,
    );
    // The whole export arrives as a file message (item 7).
    expect(reply.msgType).toBe('file');
    const csv = h.sandbox.store.file(reply.file?.fileKey ?? '')?.data.toString('utf8') ?? '';
    expect(csv).toContain(`${runId},`);
    expect(csv).toContain('step_succeeded');
    const md = await exportRun(h.ctx.pool, runId, 'md');
    expect(md).toContain('| 4 | downgrade |');
    expect(md).toMatch(/against an RTO of 900 s: within budget/);
    // Nothing sent to Lark or logged carries the database password.
    const everything = [
      ...h.sandbox.messages().map((m) => JSON.stringify(m)),
      ...h.logs,
      JSON.stringify(card),
      csv,
    ].join('\n');
    expect(everything).not.toContain(PASSWORD);
  });

  it('emergency restore=no: the restore step is skipped, with its reason, on the card, in the thread and the DB', {
    timeout: 150_000,
  }, async () => {
    // The example's only migration is its first: downgrade -1 drops every table, so with nothing restored the
    // app's health check fails, as it would in production; the run fails there, after the skipped restore.
    const { runId, card, summary } = await runThrough('/rollback emergency watch=1s', 'failed');
    await execa('alembic', ['upgrade', 'head'], {
      cwd: 'examples/lark-service',
      env: { DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
    });
    const steps = await h.ctx.pool.query(
      'SELECT step_id, state, attempt, started_at, result FROM steps WHERE run_id = $1 ORDER BY idx',
      [runId],
    );
    const restore = steps.rows.find((s) => s.step_id === 'restore');
    // Nothing was spawned for it: never started, no attempt; the reason is stored with it.
    expect(restore).toMatchObject({ state: 'skipped', attempt: 0, started_at: null });
    expect(restore.result).toEqual({
      'zh-CN': 'restore=no，无需执行（仅在 restore=yes 时执行）',
      'en-US': 'restore=no, not needed (runs only when restore=yes)',
    });
    expect(steps.rows.filter((s) => s.state !== 'succeeded').map((s) => [s.step_id, s.state])).toEqual([
      ['restore', 'skipped'],
      ['health', 'failed'],
      ['watch-logs', 'skipped'],
      ['db-connections', 'skipped'],
      ['latency', 'skipped'],
    ]);
    // A failed run is not "within budget".
    expect(textOf(summary)).toMatch(/\nTotal time [\dms. ]+ \(RTO 15m 00s\)\n/);
    const thread = threadEntries(h.sandbox.threadOf(card.messageId));
    expect(thread).toContainEqual(
      expect.stringMatching(
        /^⏭ \d\d:\d\d:\d\d · T\+\d\d:\d\d · Restore the backup \(only when restore=yes\) — skipped: restore=no, not needed \(runs only when restore=yes\)$/,
      ),
    );
    expect(thread.some((t) => /Restore the backup.* — (started|succeeded)/.test(t))).toBe(false);
    // The checks' results reach the thread: the backup's path, the schema verdict, the logs' warning.
    expect(thread.find((t) => / · Back up the database — succeeded in /.test(t))).toMatch(
      /\n.*lark-service_emergency_\d{8}_\d{6}\.dump/,
    );
    expect(thread.find((t) => / · Check tables and indexes match the revision — succeeded/.test(t))).toMatch(
      /\nmatches revision \w+: \d+ table\(s\)/,
    );
    // The card (now the summary) shows ⏭ and the reason, in both languages, and never ✅ for the restore.
    const json = await h.sandbox.waitFor(() => {
      const text = JSON.stringify(h.sandbox.message(card.messageId)?.content);
      return text.includes('**Outcome:** ❌') ? text : undefined;
    }, 15_000);
    expect(json).toContain('⏭ 5. Restore the backup &#40;only when restore=yes&#41; — skipped · restore=no');
    expect(json).toContain('⏭ 5. 恢复备份（仅当 restore=yes） — 已跳过 · restore=no，无需执行');
    expect(json).not.toMatch(/✅ 5\./);
    expect(json).not.toMatch(/within budget|在预算内/);
    expect(json).toMatch(/✅ 4\. Downgrade the database — succeeded[^\n]*\\n↳ /);
  });

  it('drift: the revision changes between approval and execution → the run stops and asks again', {
    timeout: 120_000,
  }, async () => {
    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
    const before = cards().length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback one' });
    const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
    const approveOf = () => {
      const match = /"value":(\{"action":"approve"[^}]*\})/.exec(
        JSON.stringify(h.sandbox.message(card.messageId)?.content),
      );
      return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
    };
    const first = await h.sandbox.waitFor(approveOf, 30_000);
    // Someone downgrades by hand after the Tech Lead read the card, before the bot starts.
    await execa('alembic', ['downgrade', 'base'], {
      cwd: 'examples/lark-service',
      env: { DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
    });
    expect(
      (await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value: first })).toast
        ?.type,
    ).toBe('success');
    await runState(h, first.run, 'awaiting_approval', 30_000);
    const notice = await h.sandbox.waitFor(
      () => h.sandbox.threadOf(card.messageId).find((m) => /state changed since approval/.test(textOf(m))),
      15_000,
    );
    // Said as a person reads it: what changed, from what to what; no doubled "revision=".
    expect(textOf(notice)).toContain('Current revision: at 6fc3f28b87c8 (head) → at base');
    expect(textOf(notice)).not.toContain('revision=');
    const ran = await h.ctx.pool.query(
      `SELECT count(*)::int AS n FROM steps WHERE run_id = $1 AND state <> 'pending'`,
      [first.run],
    );
    expect(ran.rows[0].n).toBe(0);
    const again = await h.sandbox.waitFor(() => {
      const value = approveOf();
      return value && value.plan !== first.plan ? value : undefined;
    }, 15_000);
    expect(again.run).toBe(first.run);
    // Put the database back and reject the stale plan, leaving the target free.
    await execa('alembic', ['upgrade', 'head'], {
      cwd: 'examples/lark-service',
      env: { DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
    });
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value: { action: 'reject', run: first.run },
    });
    await runState(h, first.run, 'rejected');
  });

  it("one's approval card: the tables the downgrade drops with their rows, and the backup latest would restore", {
    timeout: 120_000,
  }, async () => {
    await insertToken('at_stake_1');
    await service.backup();
    // A newer drill dump: evidence, never what `latest` restores.
    const drill = [
      'backup-create',
      '--dir',
      service.env.LARK_SERVICE_BACKUP_DIR ?? '',
      '--prefix',
      'lark-service_drill',
    ];
    const env = { PATH: process.env.PATH, DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL };
    expect(await runCheck(drill, env, { out: () => {}, err: () => {} })).toBe(0);
    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
    const before = cards().length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback one' });
    const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
    const content = () => JSON.stringify(h.sandbox.message(card.messageId)?.content ?? {});
    const value = await h.sandbox.waitFor(() => {
      const match = /"value":(\{"action":"approve"[^}]*\})/.exec(content());
      return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
    }, 30_000);
    const shown = content().replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    const rows = (await service.client.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n;
    // The data at stake first (each dropped table with its rows now), then the indexes.
    expect(shown).toContain(
      `What the downgrade drops — 6fc3f28b87c8 → base: drops tables user_auth_sessions (0 rows), user_cache (0 rows) and tokens (${rows} ${rows === 1 ? 'row' : 'rows'}); indexes idx_`,
    );
    expect(shown).toContain(
      `删除 3 张表：user_auth_sessions（0 行）、user_cache（0 行）、tokens（${rows} 行）；删除索引：idx_`,
    );
    // The backup `latest` would restore: the precheck-style one, with its revision and rows; not the drill dump.
    expect(shown).toMatch(
      new RegExp(
        `Latest backup — lark-service_before_downgrade_\\d{8}_\\d{6}\\.dump, [^;]+; at 6fc3f28b87c8; rows: [^;]*tokens ${rows}[,; ]`,
      ),
    );
    expect(shown).toMatch(
      /最近的备份 — lark-service_before_downgrade_\d{8}_\d{6}\.dump，[^；]+；版本 6fc3f28b87c8；行数：[^；]*tokens /,
    );
    expect(shown).not.toContain('lark-service_drill_');
    expect(shown).toContain('pg_restore --list 通过（');
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value: { action: 'reject', run: value.run },
    });
    await runState(h, value.run, 'rejected');
  });
});
