import type { I18nText } from '../../cards/model.js';
import { CheckFailure, intFlag, type Parsed, UsageError } from './args.js';
import { type Ctx, withDb } from './context.js';
import { describeVersion, existingTables, list, versionRows } from './db-state.js';
import { said } from './result.js';
import { describeVersionZh, listZh } from './zh.js';

/**
 * `table --name t [--name u] --exists|--absent`, or `table [--list]`: the seed's `psql -c "\dt"` and its drill's
 * `SELECT EXISTS (… information_schema.tables …)`, in the connection's current schema.
 */
export async function tableCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const names = flags.lists.get('name') ?? [];
  const exists = flags.booleans.has('exists');
  const absent = flags.booleans.has('absent');
  if (exists && absent) throw new UsageError('give --exists or --absent, not both');
  if ((exists || absent) && names.length === 0)
    throw new UsageError('--exists/--absent need at least one --name');
  if (names.length > 0 && !exists && !absent) throw new UsageError('--name needs --exists or --absent');
  return withDb(ctx, async (client) => {
    if (names.length === 0) {
      // Said once, on one line: the tables, then what alembic_version holds.
      const tables = await existingTables(client);
      const version = await versionRows(client);
      return tables.size === 0
        ? said(`没有表；${describeVersionZh(version)}`, `no tables; ${describeVersion(version)}`)
        : said(
            `${tables.size} 张表：${listZh(tables)}；${describeVersionZh(version)}`,
            `${tables.size} table(s): ${list(tables)}; ${describeVersion(version)}`,
          );
    }
    const found = await existingTables(client, names);
    if (exists) {
      const missing = names.filter((n) => !found.has(n));
      if (missing.length > 0) throw new CheckFailure(`missing: ${list(missing)}`);
      return said(`${listZh(names)} 存在`, `${list(names)} exist${names.length === 1 ? 's' : ''}`);
    }
    const present = names.filter((n) => found.has(n));
    if (present.length > 0) throw new CheckFailure(`still present: ${list(present)}`);
    return said(`${listZh(names)} 不存在`, `${list(names)} ${names.length === 1 ? 'is' : 'are'} absent`);
  });
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `schema.table` or `table`, each part quoted with pg's escapeIdentifier. */
export function quoteTable(name: string, escapeIdentifier: (s: string) => string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => !COLUMN.test(p))) {
    throw new UsageError(`--table: a table name like tokens or public.tokens, got ${JSON.stringify(name)}`);
  }
  return parts.map(escapeIdentifier).join('.');
}

/**
 * `rows --table t [--where col=value]… [--min N] [--max N] [--equals N]`: the seed's `SELECT COUNT(*) FROM
 * tokens`. Identifiers are quoted, values are bind parameters; nothing from the flags is pasted into SQL.
 */
export async function rowsCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const table = flags.strings.get('table');
  if (!table) throw new UsageError('--table is required');
  const { escapeIdentifier } = (await import('pg')).default;
  const from = quoteTable(table, escapeIdentifier);
  const conditions: string[] = [];
  const values: string[] = [];
  for (const where of flags.lists.get('where') ?? []) {
    const at = where.indexOf('=');
    const column = at < 0 ? '' : where.slice(0, at);
    if (!COLUMN.test(column)) throw new UsageError(`--where: column=value, got ${JSON.stringify(where)}`);
    values.push(where.slice(at + 1));
    conditions.push(`${escapeIdentifier(column)} = $${values.length}`);
  }
  const min = intFlag(flags, 'min');
  const max = intFlag(flags, 'max');
  const equals = intFlag(flags, 'equals');
  if (equals !== undefined && (min !== undefined || max !== undefined)) {
    throw new UsageError('--equals cannot be combined with --min/--max');
  }
  const sql = `SELECT count(*)::bigint AS n FROM ${from}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  const count = await withDb(ctx, async (client) => {
    try {
      const { rows } = await client.query<{ n: string }>(sql, values);
      return Number(rows[0]?.n ?? 0);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '42P01') throw new CheckFailure(`table ${table} does not exist`);
      if (code === '42703') throw new CheckFailure(`no such column in ${table}: ${(error as Error).message}`);
      throw error;
    }
  });
  const what = `${table}${conditions.length ? ` where ${(flags.lists.get('where') ?? []).join(' and ')}` : ''}`;
  if (equals !== undefined && count !== equals)
    throw new CheckFailure(`${what}: ${count} row(s), expected ${equals}`);
  if (min !== undefined && count < min)
    throw new CheckFailure(`${what}: ${count} row(s), expected at least ${min}`);
  if (max !== undefined && count > max)
    throw new CheckFailure(`${what}: ${count} row(s), expected at most ${max}`);
  const whereZh = conditions.length ? `（${(flags.lists.get('where') ?? []).join('，')}）` : '';
  return said(`${table}${whereZh}：${count} 行`, `${what}: ${count} row(s)`);
}

const DRILL_ROW = ['test_token', 'test_value'] as const;

/**
 * `drill-row --insert|--expect-present|--expect-absent [--app-id test_app]`: the seed's drill row
 * `('test_app', 'test_token', 'test_value', now() + interval '1 hour')` in `tokens`. Absent also holds when the
 * table itself is gone (the drill's step 8: `SELECT COUNT(*) FROM tokens || echo 0`).
 */
export async function drillRowCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const modes = ['insert', 'expect-present', 'expect-absent'].filter((m) => flags.booleans.has(m));
  if (modes.length !== 1)
    throw new UsageError('give exactly one of --insert, --expect-present, --expect-absent');
  const appId = flags.strings.get('app-id') ?? 'test_app';
  return withDb(ctx, async (client) => {
    const hasTable = (await existingTables(client, ['tokens'])).has('tokens');
    if (modes[0] === 'insert') {
      if (!hasTable) throw new CheckFailure('table tokens does not exist: upgrade first');
      await client.query(
        `INSERT INTO tokens (app_id, token_type, token_value, expires_at)
         VALUES ($1, $2, $3, now() + interval '1 hour')`,
        [appId, ...DRILL_ROW],
      );
      return said(
        `已向 tokens 插入测试数据（app_id=${appId}）`,
        `inserted the test row (app_id=${appId}) into tokens`,
      );
    }
    const count = hasTable
      ? Number(
          (
            await client.query<{ n: string }>('SELECT count(*)::bigint AS n FROM tokens WHERE app_id = $1', [
              appId,
            ])
          ).rows[0]?.n ?? 0,
        )
      : 0;
    const where = hasTable ? `${count} test row(s) in tokens` : 'table tokens does not exist';
    if (modes[0] === 'expect-present' && count === 0)
      throw new CheckFailure(`${where}; expected the test row`);
    if (modes[0] === 'expect-absent' && count > 0) throw new CheckFailure(`${where}; expected none`);
    const whereZh = hasTable ? `tokens 中有 ${count} 条测试数据` : 'tokens 表不存在';
    return said(`${whereZh}（app_id=${appId}），符合预期`, `${where} (app_id=${appId}), as expected`);
  });
}
