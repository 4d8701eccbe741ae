import type pg from 'pg';

/** Read-only questions the checks ask Postgres, in the connection's current schema (normally `public`). */

export async function existingTables(client: pg.Client, names?: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND ($1::text[] IS NULL OR table_name = ANY($1::text[]))
      ORDER BY 1`,
    [names ?? null],
  );
  return new Set(rows.map((r) => r.name));
}

export async function existingIndexes(client: pg.Client, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1::text[])`,
    [names],
  );
  return new Set(rows.map((r) => r.name));
}

/** The rows of `alembic_version`; null when the table does not exist. */
export async function versionRows(client: pg.Client): Promise<string[] | null> {
  const tables = await existingTables(client, ['alembic_version']);
  if (!tables.has('alembic_version')) return null;
  const { rows } = await client.query<{ v: string }>(
    'SELECT version_num AS v FROM alembic_version ORDER BY 1',
  );
  return rows.map((r) => r.v);
}

export function describeVersion(rows: string[] | null): string {
  if (rows === null) return 'no alembic_version table';
  if (rows.length === 0) return 'alembic_version is empty';
  return `alembic_version = ${rows.join(', ')}`;
}

/** `a, b and c`; `(none)` when empty. */
export function list(names: Iterable<string>): string {
  const all = [...names];
  if (all.length === 0) return '(none)';
  if (all.length === 1) return all[0] ?? '';
  return `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}
