import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { Pool } from './pool.js';

const MIGRATIONS_DIR = join(packageRoot(), 'migrations');
const LOCK_ID = 7_301_917_001;

export function migrationsDir(): string {
  return MIGRATIONS_DIR;
}

/** Apply pending `migrations/NNN_*.sql` files in order, each in its own transaction, under an advisory lock. */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => {});
    client.release();
  }
  return applied;
}

/** True when every migration file has been applied (for /health/ready). */
export async function migrationsApplied(pool: Pool, dir = MIGRATIONS_DIR): Promise<boolean> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
  const result = await pool.query('SELECT count(*)::int AS n FROM schema_migrations WHERE name = ANY($1)', [
    files,
  ]);
  return result.rows[0]?.n === files.length;
}
