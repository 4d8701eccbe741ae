import type { I18nText } from '../../cards/model.js';
import { schemaAt } from './alembic.js';
import { CheckFailure, type Parsed } from './args.js';
import { type Ctx, withDb } from './context.js';
import { describeVersion, existingIndexes, existingTables, list, versionRows } from './db-state.js';
import { said } from './result.js';
import { listZh } from './zh.js';

/** The revision alembic_version names, `base` when none; several heads are refused. */
async function recordedRevision(ctx: Ctx): Promise<{ rows: string[] | null; revision: string }> {
  const rows = await withDb(ctx, versionRows);
  if (rows !== null && rows.length > 1) {
    throw new CheckFailure(`${describeVersion(rows)}: several heads; this check handles one`);
  }
  return { rows, revision: rows?.[0] ?? 'base' };
}

/**
 * `schema`: the tables and indexes match the revision in alembic_version — those the migrations up to it create
 * exist, those of later revisions (up to head) are gone. Learned from alembic's offline SQL, so it needs no list
 * of tables: the checklist's "表和索引被正确删除" for whatever the project's migrations are.
 */
export async function schemaCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const dir = flags.strings.get('alembic-dir');
  const { revision } = await recordedRevision(ctx);
  const at = await schemaAt(ctx, dir, revision);
  const head = await schemaAt(ctx, dir, 'head');
  const later = {
    tables: [...head.tables].filter((t) => !at.tables.has(t)),
    indexes: [...head.indexes].filter((i) => !at.indexes.has(i)),
  };
  const { tables, indexes } = await withDb(ctx, async (client) => ({
    tables: await existingTables(client, [...at.tables, ...later.tables]),
    indexes: await existingIndexes(client, [...at.indexes, ...later.indexes]),
  }));
  const missing = [
    ...[...at.tables].filter((t) => !tables.has(t)),
    ...[...at.indexes].filter((i) => !indexes.has(i)),
  ];
  const leftover = [
    ...later.tables.filter((t) => tables.has(t)),
    ...later.indexes.filter((i) => indexes.has(i)),
  ];
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing at ${revision}: ${list(missing)}`);
  if (leftover.length > 0) problems.push(`left over from later revisions: ${list(leftover)}`);
  if (problems.length > 0)
    throw new CheckFailure(`the schema does not match revision ${revision}; ${problems.join('; ')}`);
  const gone = later.tables.length + later.indexes.length;
  return said(
    `与版本 ${revision} 一致：${at.tables.size} 张表、${at.indexes.size} 个索引存在` +
      (gone > 0 ? `；后续版本的 ${later.tables.length} 张表、${later.indexes.length} 个索引已不存在` : ''),
    `matches revision ${revision}: ${at.tables.size} table(s) and ${at.indexes.size} index(es) present` +
      (gone > 0
        ? `; ${later.tables.length} table(s) and ${later.indexes.length} index(es) of later revisions absent`
        : ''),
  );
}

/**
 * `stamp-guard [--table t]…`: the seed's 问题1. Succeeds only when alembic_version names a revision but none of
 * the tables the migrations up to it create exist — the one state where `alembic stamp base` is right. Otherwise
 * it says why stamping would be wrong. Tables come from alembic's offline SQL unless given with --table.
 */
export async function stampGuardCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const dir = flags.strings.get('alembic-dir');
  const { rows, revision } = await recordedRevision(ctx);
  if (revision === 'base') {
    throw new CheckFailure(
      `${describeVersion(rows)}: the database is already at base; stamping base changes nothing (run alembic upgrade head)`,
    );
  }
  const given = flags.lists.get('table');
  const expected = given && given.length > 0 ? given : [...(await schemaAt(ctx, dir, revision)).tables];
  if (expected.length === 0) {
    throw new CheckFailure(
      `revision ${revision} creates no table: cannot tell whether stamping base is right`,
    );
  }
  const present = await withDb(ctx, (client) => existingTables(client, expected));
  const missing = expected.filter((t) => !present.has(t));
  const says = `alembic_version says ${revision}`;
  if (present.size === 0) {
    return said(
      `alembic_version 为 ${revision}，但它的表都不存在（${listZh(expected)}）：应当执行 alembic stamp base`,
      `${says} but none of its tables exist (${list(expected)}): alembic stamp base is right`,
    );
  }
  if (missing.length === 0) {
    throw new CheckFailure(
      `${says} and its tables exist (${list(expected)}): the schema is consistent; downgrade normally, do not stamp`,
    );
  }
  throw new CheckFailure(
    `${says}; present: ${list(present)}; missing: ${list(missing)}. Stamping base would leave ${list(present)} ` +
      'behind and alembic upgrade head would fail on them; repair by hand',
  );
}
