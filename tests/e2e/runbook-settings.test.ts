import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT,
  eventually,
  type Harness,
  ONCALL,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

/**
 * Issue 10, part 2: a read-only runbook (`precheck`, `approval: { required: false }`) runs without a Tech Lead's
 * approval; the drill (`refuse_on: { environment: [production], unless: production }`) refuses a target marked
 * `environment: production` unless the request says `production=yes`.
 */
let h: Harness;
let service: LarkService;

beforeAll(async () => {
  service = await startLarkService('settings-e2e-password');
  // The shipped `production` target becomes choosable (it stays unusable: /srv/lark-service does not exist).
  h = await startHarness({
    env: { ...service.env, PROD_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
  });
});

afterAll(async () => {
  await h?.close();
  await service?.close();
});

const latestRun = async () =>
  (await h.ctx.pool.query('SELECT id, state, approved_at FROM runs ORDER BY created_at DESC LIMIT 1'))
    .rows[0];

async function say(text: string) {
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  return h.sandbox.waitFor(
    () => h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
    15_000,
  );
}

describe('runbook-level settings', () => {
  it('precheck runs to the end with nobody approving, and records no approval', {
    timeout: 120_000,
  }, async () => {
    const before = (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback precheck' });
    const run = await eventually(async () => {
      const rows = (await h.ctx.pool.query('SELECT id FROM runs ORDER BY created_at')).rows;
      return rows.length > before ? rows[rows.length - 1] : undefined;
    }, 15_000);
    await runState(h, run.id, 'succeeded', 90_000);
    const approvals = await h.ctx.pool.query('SELECT count(*)::int AS n FROM approvals WHERE run_id = $1', [
      run.id,
    ]);
    expect(approvals.rows[0].n).toBe(0);
    const steps = await h.ctx.pool.query('SELECT state FROM steps WHERE run_id = $1', [run.id]);
    expect(steps.rows.every((s) => s.state === 'succeeded')).toBe(true);
  });

  it('a runbook that needs approval still waits for it (emergency)', { timeout: 60_000 }, async () => {
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback emergency' });
    const run = await eventually(async () => {
      const r = await latestRun();
      return r?.state === 'awaiting_approval' ? r : undefined;
    }, 30_000);
    expect(run.approved_at).toBeNull();
    await h.ctx.pool.query(`UPDATE runs SET state = 'rejected', finished_at = now() WHERE id = $1`, [run.id]);
  });

  it('drill refuses a production-marked target unless production=yes', { timeout: 60_000 }, async () => {
    const runsBefore = (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    const refused = textOf(await say('/rollback drill production'));
    expect(refused).toContain('environment: production');
    expect(refused).toContain('production=yes');
    expect((await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(runsBefore);
    // On the test-marked default target the drill is accepted as before.
    await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: '/rollback drill production production=yes',
    });
    const accepted = await eventually(async () => {
      const r = await latestRun();
      return (await h.ctx.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n > runsBefore
        ? r
        : undefined;
    }, 15_000);
    expect(accepted.id).toBeDefined();
  });
});
