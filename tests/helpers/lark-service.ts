import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { runCheck } from '../../src/checks/main.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** The example lark-service on a scratch database, migrated to head, for the shipped runbooks' target. */
export interface LarkService {
  /** The bot's env for the shipped `lark-service` target (and RUNBOOKS_DIR=runbooks). */
  env: Record<string, string>;
  client: pg.Client;
  url: string;
  tokens(): Promise<string[]>;
  insertToken(app: string): Promise<void>;
  /** A `lark-service_before_downgrade_*` backup, as the precheck runbook takes. */
  backup(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `password` goes into the URL (trust auth ignores it) so tests can check it never leaks. */
export async function startLarkService(password: string): Promise<LarkService> {
  const db: TestDatabase = await createTestDatabase('lsvc');
  const url = new URL(db.url);
  url.password = password;
  const stateDir = mkdtempSync(join(tmpdir(), 'rb-lsvc-'));
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
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return {
    env,
    client,
    url: env.LARK_SERVICE_URL,
    async tokens() {
      return (await client.query('SELECT app_id FROM tokens ORDER BY id')).rows.map((r) => r.app_id);
    },
    async insertToken(app) {
      await client.query(
        `INSERT INTO tokens (app_id, token_type, token_value, expires_at) VALUES ($1, 't', 'v', now() + interval '1 hour')`,
        [app],
      );
    },
    async backup() {
      const quiet = { out: () => {}, err: () => {} };
      const argv = [
        'backup-create',
        '--dir',
        env.LARK_SERVICE_BACKUP_DIR,
        '--prefix',
        'lark-service_before_downgrade',
      ];
      const code = await runCheck(
        argv,
        { PATH: process.env.PATH, DATABASE_URL: env.LARK_SERVICE_DATABASE_URL },
        quiet,
      );
      if (code !== 0) throw new Error(`backup-create exited ${code}`);
    },
    async close() {
      await execa('examples/lark-service/app', ['stop'], {
        env: { LARK_SERVICE_STATE_DIR: env.LARK_SERVICE_STATE_DIR },
        reject: false,
      });
      await client.end();
      await db.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
