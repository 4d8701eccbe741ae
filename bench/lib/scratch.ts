import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';

export const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;
const tempDirs: string[] = [];
/** A temporary folder, removed by removeTempDirs() when the bench ends. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rb-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const dbUrl = (name: string) => ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

export async function createDatabase(name: string): Promise<string> {
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return dbUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** A fresh database with the bot's schema; `drop()` removes it. */
export async function botDatabase(
  prefix = 'rbbench',
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  const url = await createDatabase(name);
  const pool = createPool(url, 2);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return { name, url, drop: () => dropDatabase(name) };
}

/** Transactions committed in one database so far (pg_stat_database; PG 15 updates it at commit). */
export async function commitsIn(name: string): Promise<number> {
  return admin(async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const r = await c.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
      [name],
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

/** Every Redis key under a queue prefix: counted, and removed when `remove` is set. */
export async function redisKeys(prefix: string, remove = false): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
      if (remove && keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Target ids t00000… of the generated targets file. */
export const targetId = (i: number) => `t${String(i).padStart(5, '0')}`;

/**
 * A targets file with `count` targets for the bench fixtures (one active run per target, so a bench that
 * creates runs needs a free target for each). Every target passes BENCH_MARKER_DIR to its steps.
 */
export function writeTargets(dir: string, count: number, runner?: string): string {
  const file = join(dir, runner ? `targets-${runner}.yaml` : 'targets.yaml');
  const lines = ['targets:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  - id: ${targetId(i)}`);
    if (i === 0) lines.push('    default: true');
    if (runner) lines.push(`    runner: ${runner}`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} for the targets file, not for JavaScript
    lines.push('    public_env: { STEP_MARKER_DIR: "${BENCH_MARKER_DIR}" }');
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
