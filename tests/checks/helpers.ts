import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { runCheck } from '../../src/checks/main.js';

// Real Postgres (a scratch database per suite) and Debian's real alembic, against examples/lark-service.
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ALEMBIC_DIR = resolve('examples/lark-service');
/** A password the server (trust auth) ignores: it must never show up in any output. */
export const PASSWORD = `pw${randomBytes(6).toString('hex')}`;

export interface Scratch {
  name: string;
  /** With PASSWORD in it. */
  url: string;
  client: pg.Client;
  /** Private temporary directory (backups, recorded revisions, app state). */
  dir: string;
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createScratch(label: string): Promise<Scratch> {
  const name = `chk_${label}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsed = new URL(ADMIN_URL);
  parsed.password = PASSWORD;
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dir = mkdtempSync(join(tmpdir(), `checks-${label}-`));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: url,
  };
  return {
    name,
    url,
    client,
    dir,
    env,
    async drop() {
      await client.end().catch(() => {});
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CheckRun {
  code: number;
  out: string;
  err: string;
}

/** `check <argv…>` in-process, as the CLI runs it, with the step's cwd and environment. */
export async function check(
  env: Record<string, string | undefined>,
  argv: string[],
  cwd = process.cwd(),
): Promise<CheckRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCheck(argv, env, { cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  const result = { code, out: out.join('\n'), err: err.join('\n') };
  if (`${result.out}\n${result.err}`.includes(PASSWORD))
    throw new Error(`the password leaked: ${JSON.stringify(result)}`);
  return result;
}

export async function alembic(env: Record<string, string>, ...args: string[]) {
  const result = await execa('alembic', args, { cwd: ALEMBIC_DIR, env, extendEnv: false, reject: false });
  if (result.exitCode !== 0) throw new Error(`alembic ${args.join(' ')} failed: ${result.stderr}`);
  return result;
}

export async function freePort(): Promise<number> {
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

export async function tokenApps(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ app_id: string }>('SELECT app_id FROM tokens ORDER BY app_id');
  return rows.map((r) => r.app_id);
}

export const INSERT_TOKEN = `INSERT INTO tokens (app_id, token_type, token_value, expires_at)
  VALUES ($1, 'tenant', 'v', now() + interval '1 hour')`;
