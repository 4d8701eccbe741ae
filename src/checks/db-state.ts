import type pg from 'pg';
import type { I18nText } from '../../cards/model.js';

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

/** A table's rows now: exact, or an estimate (`approx`) for a table too big to count quickly; null: no such table. */
export interface RowCount {
  table: string;
  rows: number | null;
  approx?: boolean;
}

/** Tables up to this size on disk are counted exactly (`count(*)`); bigger ones use the planner's estimate. */
const EXACT_BYTES = 64 * 1024 * 1024;

/** How many rows each of `tables` holds now, in the connection's current schema, in the order given. */
export async function countRows(client: pg.Client, tables: readonly string[]): Promise<RowCount[]> {
  const { rows } = await client.query<{ name: string; estimate: number; bytes: string }>(
    `SELECT c.relname AS name, c.reltuples::float8 AS estimate, pg_relation_size(c.oid)::text AS bytes
       FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
        AND c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])`,
    [tables],
  );
  const found = new Map(rows.map((r) => [r.name, r]));
  const counts: RowCount[] = [];
  for (const table of tables) {
    const row = found.get(table);
    if (!row) counts.push({ table, rows: null });
    else if (Number(row.bytes) > EXACT_BYTES && row.estimate >= 0)
      counts.push({ table, rows: Math.round(row.estimate), approx: true });
    else {
      const exact = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${client.escapeIdentifier(table)}`,
      );
      counts.push({ table, rows: Number(exact.rows[0]?.n ?? 0) });
    }
  }
  return counts;
}

/** `tokens (3 rows), users (about 1,200,000 rows) and gone (not present)` in both languages. */
export function describeCounts(counts: readonly RowCount[]): I18nText {
  const en = counts.map((c) => {
    if (c.rows === null) return `${c.table} (not present)`;
    const n = c.rows.toLocaleString('en-US');
    return `${c.table} (${c.approx ? 'about ' : ''}${n} ${c.rows === 1 ? 'row' : 'rows'})`;
  });
  const zh = counts.map((c) => {
    if (c.rows === null) return `${c.table}（不存在）`;
    return `${c.table}（${c.approx ? '约 ' : ''}${c.rows.toLocaleString('en-US')} 行）`;
  });
  return { 'zh-CN': zh.join('、'), 'en-US': list(en) };
}
