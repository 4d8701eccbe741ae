import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../../src/runbooks/index.js';
import {
  alembic,
  createScratch,
  freePort,
  INSERT_TOKEN,
  PASSWORD,
  type Scratch,
  tokenApps,
} from './helpers.js';
import { describe as explain, Runner } from './runbook-runner.js';

// bot-argv.ts uses import.meta.resolve, which vitest's module transform does not provide: give {{bot.check}} the
// same development argv here (tsx is found from the step's cwd, which is inside the repository).

// The shipped runbooks, rendered by renderSteps ({{bot.check}}, {{target.x}}, {{params.x}}, {{run.id}}) and run
// step by step by the worker's spawnStep against a scratch database and the example app on a free port.
let db: Scratch;
let runner: Runner;
let appEnv: Record<string, string>;

beforeAll(async () => {
  db = await createScratch('runbooks');
  const url = `http://127.0.0.1:${await freePort()}`;
  const stateDir = join(db.dir, 'state');
  mkdirSync(stateDir);
  appEnv = { LARK_SERVICE_URL: url, LARK_SERVICE_STATE_DIR: stateDir };
  runner = new Runner({
    LARK_SERVICE_DATABASE_URL: db.url,
    LARK_SERVICE_BACKUP_DIR: join(db.dir, 'backups'),
    ...appEnv,
  });
});
afterAll(async () => {
  if (appEnv) await execa('examples/lark-service/app', ['stop'], { env: appEnv, reject: false });
  await db?.drop();
});

const backups = () => readdirSync(join(db.dir, 'backups')).filter((n) => n.endsWith('.dump'));
const output = (r: { steps: Array<{ tail: string }> }) => r.steps.map((s) => s.tail).join('\n');

describe('the shipped runbooks, run for real', () => {
  it("drill: every step of the seed's drill script passes on a fresh database", async () => {
    const result = await runner.runAll('drill');
    expect(result.steps.map((s) => s.id)).toEqual([
      'record-initial',
      'backup',
      'upgrade',
      'at-head',
      'insert-row',
      'row-present',
      'downgrade',
      'after-downgrade',
      'tokens-absent',
      'upgrade-again',
      'at-head-again',
      'row-gone',
    ]);
    const text = output(result);
    expect(text).toContain('revision: at base, as expected (-1 from 6fc3f28b87c8 is base)');
    expect(text).toContain('table: tokens is absent');
    expect(text).toContain('drill-row: 0 test row(s) in tokens (app_id=test_app), as expected');
    expect(text).not.toContain(PASSWORD);
    console.log(
      `drill via renderSteps + spawnStep: ${result.ms} ms\n${result.steps.map((s) => `  ${s.id} ${s.ms}ms`).join('\n')}`,
    );
  });

  it('precheck: current, history, a verified backup', async () => {
    const result = await runner.runAll('precheck');
    expect(output(result)).toContain('6fc3f28b87c8 (head)');
    expect(output(result)).toMatch(/backup: lark-service_before_downgrade_\d{8}_\d{6}\.dump, /);
  });

  it('one: downgrade -1 with backup, revision and schema checks; its preflight previews the drop', async () => {
    const pre = await runner.run('one', 'preflight');
    expect(pre.ok, explain(pre)).toBe(true);
    expect(output(pre)).toContain(
      'preview: 6fc3f28b87c8 → base: drops tables user_auth_sessions (0 rows), user_cache (0 rows) and tokens (0 rows); indexes idx_',
    );
    expect(output(pre)).toContain('backup: lark-service_before_downgrade_');
    const result = await runner.run('one', 'steps');
    expect(result.ok, explain(result)).toBe(true);
    expect(output(result)).toContain('schema: matches revision base');
    // At base there is nothing to downgrade: the preflight says so and fails.
    const again = await runner.run('one', 'preflight');
    expect(again.ok).toBe(false);
    expect(output(again)).toContain('the database is at base: there is nothing to downgrade');
  });

  it('to: needs a valid revision; to revision=base works', async () => {
    await expect(runner.run('to', 'steps')).rejects.toThrow(RunbookError);
    await expect(runner.run('to', 'steps', { revision: 'head; rm -rf /' })).rejects.toThrow(
      /revision must be -1, base or 12 hex digits/,
    );
    await alembic(db.env, 'upgrade', 'head');
    const result = await runner.runAll('to', { revision: 'base' });
    expect(output(result)).toContain('revision: at base, as expected');
  });

  // Two whole runbooks (about 25 processes): well over 30 s on a loaded machine.
  it('base and failed-migration: from head to base, verified', { timeout: 120_000 }, async () => {
    await alembic(db.env, 'upgrade', 'head');
    expect((await runner.runAll('base')).ok).toBe(true);
    await alembic(db.env, 'upgrade', 'head');
    const failed = await runner.runAll('failed-migration');
    expect(output(failed)).toContain('-1 from 6fc3f28b87c8 is base');
    expect(backups().some((n) => n.startsWith('lark-service_failed_migration_'))).toBe(true);
  });

  it('stamp-base: refused when the schema is consistent, fixes alembic_version pointing at missing tables', async () => {
    await alembic(db.env, 'upgrade', 'head');
    const refused = await runner.run('stamp-base', 'preflight');
    expect(refused.ok).toBe(false);
    expect(output(refused)).toContain('do not stamp');
    await db.client.query('DROP TABLE user_auth_sessions, user_cache, tokens');
    const fixed = await runner.runAll('stamp-base');
    expect(output(fixed)).toContain('alembic stamp base is right');
    expect(output(fixed)).toContain('schema: matches revision 6fc3f28b87c8');
  });

  it('corruption: stop, dump the corrupted data, downgrade, restore the good backup, verify, start, healthy', async () => {
    await db.client.query(INSERT_TOKEN, ['good']);
    await runner.runAll('precheck');
    await db.client.query(INSERT_TOKEN, ['corrupted']);
    const result = await runner.runAll('corruption');
    expect(await tokenApps(db.client)).toEqual(['good']);
    expect(backups().some((n) => n.startsWith('lark-service_corrupted_'))).toBe(true);
    expect(output(result)).toContain('rows: tokens: 1 row(s)');
    expect(output(result)).toMatch(
      /health: GET http:\/\/127\.0\.0\.1:\d+\/health\/ready → 200|health: GET \*\*\*\/health\/ready → 200/,
    );
  });

  it.skipIf(process.env.CHECKS_SKIP_SLOW)(
    'emergency restore=yes: stop, back up, downgrade, restore, verify, start, health, 5 s of clean logs',
    { timeout: 150_000 },
    async () => {
      await db.client.query(INSERT_TOKEN, ['bad_after_precheck']);
      const result = await runner.runAll('emergency', { restore: 'yes', watch: '5s' });
      expect(result.steps.map((s) => s.id)).toContain('watch-logs');
      expect(result.steps.find((s) => s.id === 'verify-revision')).toMatchObject({ status: 'skipped' });
      expect(result.steps.find((s) => s.id === 'restore')).toMatchObject({ status: 'succeeded' });
      // The restarted app may log nothing while watched: then the check passes with a warning, not a claim.
      expect(output(result)).toMatch(
        /logs: (no ERROR in [1-9]\d* new log line\(s\) over 5s|⚠ the app logged nothing over 5s)/,
      );
      // The seed's post-rollback monitoring ends it: healthy connections, the API answering in time.
      expect(result.steps.slice(-2).map((s) => [s.id, s.status])).toEqual([
        ['db-connections', 'succeeded'],
        ['latency', 'succeeded'],
      ]);
      expect(output(result)).toMatch(
        /db-connections: \d+\/\d+ connections in use .*none idle in a transaction/,
      );
      expect(output(result)).toMatch(
        /latency: GET .*\/health\/ready: 20 request\(s\), p95 [\d.]+ms under 500ms/,
      );
      expect(await tokenApps(db.client)).toEqual(['good']);
      console.log(`emergency (restore=yes): ${result.ms} ms`);
    },
  );
});
