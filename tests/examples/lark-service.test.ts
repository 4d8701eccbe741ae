import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The example service of examples/lark-service, for real: Debian's alembic against a scratch database,
// and the app's start/stop/logs against a random port and a private state directory.
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DIR = resolve('examples/lark-service');
const dbName = `lark_svc_${randomBytes(5).toString('hex')}`;
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
const TABLES = ['tokens', 'user_auth_sessions', 'user_cache'];
const INDEXES = [
  'idx_auth_session_expires',
  'idx_auth_session_state',
  'idx_tokens_expires',
  'idx_user_cache_expires',
  'idx_user_cache_union_id',
  'idx_user_cache_user_id',
];

let stateDir = '';
let serviceUrl = '';
let db: pg.Client;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port')),
      );
    });
  });
}

const alembic = (...args: string[]) =>
  execa('alembic', args, { cwd: DIR, env: { DATABASE_URL }, reject: false, timeout: 60_000 });
const app = (...args: string[]) =>
  execa(join(DIR, 'app'), args, {
    env: { DATABASE_URL, LARK_SERVICE_URL: serviceUrl, LARK_SERVICE_STATE_DIR: stateDir },
    reject: false,
    timeout: 30_000,
  });

async function publicNames(): Promise<{ tables: string[]; indexes: string[] }> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name <> 'alembic_version' ORDER BY 1`,
  );
  const indexes = await db.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes
      WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE 'alembic%' ORDER BY 1`,
  );
  return { tables: tables.rows.map((r) => r.name), indexes: indexes.rows.map((r) => r.name) };
}

async function ready(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${serviceUrl}/health/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  stateDir = mkdtempSync(join(tmpdir(), 'lark-service-'));
  serviceUrl = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  if (stateDir) await app('stop');
  await db?.end();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('examples/lark-service', () => {
  it('alembic upgrade head creates the three tables and the six indexes of the seed', async () => {
    const up = await alembic('upgrade', 'head');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain('Running upgrade  -> 6fc3f28b87c8, Initial Schema');
    expect(await publicNames()).toEqual({ tables: TABLES, indexes: INDEXES });
    // The drill's insert works as written in the seed.
    await db.query(`INSERT INTO tokens (app_id, token_type, token_value, expires_at)
                    VALUES ('test_app', 'test_token', 'test_value', now() + interval '1 hour')`);
    const count = await db.query(`SELECT count(*)::int AS n FROM tokens WHERE app_id = 'test_app'`);
    expect(count.rows[0]).toEqual({ n: 1 });
  });

  it('alembic current and history show the revision', async () => {
    const current = await alembic('current');
    expect(current.exitCode, current.stderr).toBe(0);
    expect(current.stdout.trim()).toBe('6fc3f28b87c8 (head)');
    const history = await alembic('history', '--verbose');
    expect(history.stdout).toContain('Rev: 6fc3f28b87c8 (head)');
    expect(history.stdout).toContain('Initial Schema');
  });

  it('the app starts (idempotently) and is ready while the tables exist', async () => {
    const first = await app('start');
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await app('start');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('already running');
    expect((await app('status')).exitCode).toBe(0);
    expect((await fetch(`${serviceUrl}/health/live`)).status).toBe(200);
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('offline --sql previews the downgrade without touching the database', async () => {
    const preview = await alembic('downgrade', '6fc3f28b87c8:base', '--sql');
    expect(preview.exitCode, preview.stderr).toBe(0);
    const drops = preview.stdout.split('\n').filter((line) => line.startsWith('DROP '));
    expect(drops).toEqual([
      'DROP INDEX idx_auth_session_expires;',
      'DROP INDEX idx_auth_session_state;',
      'DROP TABLE user_auth_sessions;',
      'DROP INDEX idx_user_cache_union_id;',
      'DROP INDEX idx_user_cache_user_id;',
      'DROP INDEX idx_user_cache_expires;',
      'DROP TABLE user_cache;',
      'DROP INDEX idx_tokens_expires;',
      'DROP TABLE tokens;',
      'DROP TABLE alembic_version;',
    ]);
    expect((await publicNames()).tables).toEqual(TABLES);
  });

  it('alembic downgrade -1 drops everything, and readiness turns 503 with an ERROR log line', async () => {
    const down = await alembic('downgrade', '-1');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await publicNames()).toEqual({ tables: [], indexes: [] });
    expect((await alembic('current')).stdout.trim()).toBe('');
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.body.missing_tables).toEqual(['tokens', 'user_cache', 'user_auth_sessions']);
    const logs = await app('logs', '--since', '2m');
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toMatch(/ERROR readiness check failed: missing tables: tokens/);
    expect(logs.stdout).toMatch(/INFO GET \/health\/ready 503/);
    expect(logs.stdout).not.toContain(DATABASE_URL);
  });

  it('release.ini adds the later release: its migration breaks the app, one revision down heals it', async () => {
    const release = (...args: string[]) =>
      execa('alembic', args, {
        cwd: DIR,
        env: { DATABASE_URL, ALEMBIC_CONFIG: 'release.ini' },
        reject: false,
        timeout: 60_000,
      });
    expect((await alembic('upgrade', 'head')).exitCode).toBe(0);
    expect((await ready()).status).toBe(200);
    // The default alembic.ini knows only the guide's migration; release.ini has one more head.
    expect((await alembic('heads')).stdout).toContain('6fc3f28b87c8 (head)');
    expect((await release('heads')).stdout).toContain('9d4b2e7c1a35 (head)');
    const up = await release('upgrade', 'head');
    expect(up.exitCode, up.stderr).toBe(0);
    expect((await release('current')).stdout).toContain('9d4b2e7c1a35 (head)');
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'not_ready', missing_columns: ['user_auth_sessions.state'] },
    });
    expect((await app('logs')).stdout).toMatch(
      /ERROR readiness check failed: missing columns: user_auth_sessions\.state/,
    );
    const down = await release('downgrade', '-1');
    expect(down.exitCode, down.stderr).toBe(0);
    expect((await release('current')).stdout.trim()).toBe('6fc3f28b87c8');
    expect((await ready()).status).toBe(200);
  });

  it('the app stops (idempotently) and then refuses connections', async () => {
    const stop = await app('stop');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('stopped');
    await expect(fetch(`${serviceUrl}/health/live`)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    const again = await app('stop');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('not running');
    expect((await app('status')).exitCode).toBe(3);
  });

  it('alembic without DATABASE_URL fails with a clear message', async () => {
    const res = await execa('alembic', ['current'], { cwd: DIR, env: { DATABASE_URL: '' }, reject: false });
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain('DATABASE_URL is not set');
  });

  it('app rejects unknown commands and bad durations with usage', async () => {
    expect((await app('restart')).exitCode).toBe(2);
    const bad = await app('logs', '--since', 'soon');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('bad duration');
  });
});
