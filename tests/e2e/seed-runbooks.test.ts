import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/runs/export.js';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness, textOf } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

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
    const thread = h.sandbox.threadOf(card.messageId).map(textOf);
    expect(thread.filter((t) => / — started$/.test(t))).toHaveLength(steps.rows.length);
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
      ['verify-revision', 'succeeded'],
      ['verify-schema', 'succeeded'],
      ['start-app', 'succeeded'],
      ['health', 'succeeded'],
      ['watch-logs', 'succeeded'],
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
    expect(textOf(reply)).toContain(`${runId},`);
    expect(textOf(reply)).toContain('step_succeeded');
    const md = await exportRun(h.ctx.pool, runId, 'md');
    expect(md).toContain('| 4 | downgrade |');
    expect(md).toMatch(/against an RTO of 900 s: within budget/);
    // Nothing sent to Lark or logged carries the database password.
    const everything = [
      ...h.sandbox.messages().map((m) => JSON.stringify(m)),
      ...h.logs,
      JSON.stringify(card),
    ].join('\n');
    expect(everything).not.toContain(PASSWORD);
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
    expect(textOf(notice)).toMatch(/At approval: revision=.*6fc3f28b87c8.*now: revision=.*base/s);
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
});
