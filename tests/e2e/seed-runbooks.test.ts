import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/runs/export.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness, textOf } from '../helpers/harness.js';

/**
 * The seed's runbooks as shipped, through the whole bot (sandbox → server → worker → sandbox), against a
 * scratch lark_service database, real alembic, pg_dump/pg_restore and the example app.
 */
let h: Harness;
let service: TestDatabase;
let client: pg.Client;
let stateDir: string;
const PASSWORD = 'seed-e2e-db-password';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  service = await createTestDatabase('lsvc');
  const url = new URL(service.url);
  url.password = PASSWORD; // trust auth ignores it; it must never show up in anything sent or logged
  stateDir = mkdtempSync(join(tmpdir(), 'rb-seed-'));
  const env = {
    LARK_SERVICE_DATABASE_URL: url.toString(),
    LARK_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
    LARK_SERVICE_STATE_DIR: join(stateDir, 'app'),
    LARK_SERVICE_BACKUP_DIR: join(stateDir, 'backups'),
    RUNBOOKS_DIR: 'runbooks',
  };
  await execa('alembic', ['upgrade', 'head'], {
    cwd: 'examples/lark-service',
    env: { DATABASE_URL: env.LARK_SERVICE_DATABASE_URL },
  });
  client = new pg.Client({ connectionString: service.url });
  await client.connect();
  h = await startHarness({ env });
});

afterAll(async () => {
  await execa('examples/lark-service/app', ['stop'], {
    env: { LARK_SERVICE_STATE_DIR: join(stateDir, 'app') },
    reject: false,
  });
  await h?.close();
  await client?.end();
  await service?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

const tokens = async () =>
  (await client.query('SELECT app_id FROM tokens ORDER BY id')).rows.map((r) => r.app_id);
const insertToken = (app: string) =>
  client.query(
    `INSERT INTO tokens (app_id, token_type, token_value, expires_at) VALUES ($1, 't', 'v', now() + interval '1 hour')`,
    [app],
  );

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

describe('the seed runbooks through the bot', () => {
  it('drill: tables gone after the downgrade, back after the upgrade, the test row gone', {
    timeout: 120_000,
  }, async () => {
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
    await runThrough('/rollback precheck');
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
    const health = await fetch(
      `${String(h.ctx.catalog.targets.get('lark-service')?.vars.app_url)}/health/ready`,
    );
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
});
