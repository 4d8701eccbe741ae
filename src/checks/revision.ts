import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  alembicCurrent,
  alembicState,
  type Current,
  describeCurrent,
  offlineSql,
  parseDdl,
  walkDown,
} from './alembic.js';
import { CheckFailure, type Parsed, UsageError } from './args.js';
import { type Ctx, pathIn, withDb } from './context.js';
import { countRows, describeCounts, list } from './db-state.js';
import { type CheckSaid, said } from './result.js';

/**
 * `revision [--expect base|head|<rev>|-N --since <file>] [--record <file>]`: what `alembic current` would
 * say in the step's cwd (or `--alembic-dir`): the rows of alembic_version, heads marked from the script directory
 * (see alembic.ts), says what it saw, and compares. `--record` writes the revision to a file
 * (the seed's drill: `alembic current > /tmp/migration_before.txt`); `--expect -1 --since <that file>` means
 * "one revision below the recorded one", which is how a runbook verifies `alembic downgrade -1`.
 */
export async function revisionCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  const dir = flags.strings.get('alembic-dir');
  const expect = flags.strings.get('expect');
  const record = flags.strings.get('record');
  const since = flags.strings.get('since');
  if (expect !== undefined && !/^(base|head|-\d{1,3}|[0-9A-Za-z_]{4,64})$/.test(expect)) {
    throw new UsageError(`--expect: base, head, -N or a revision id, got ${JSON.stringify(expect)}`);
  }
  const relative = expect !== undefined && /^-\d+$/.test(expect);
  if (relative && since === undefined)
    throw new UsageError(`--expect ${expect} needs --since <file written by --record>`);
  // `-N` needs the down revisions too (the script directory's history, kept while its files are unchanged).
  const state = relative ? await alembicState(ctx, dir) : { current: await alembicCurrent(ctx, dir) };
  const { current } = state;
  const seen = describeCurrent(current);
  const notes: string[] = [];
  const notesZh: string[] = [];
  if (record !== undefined) {
    const file = pathIn(ctx, record);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${current.revisions.map((r) => r.id).join(',') || 'base'}\n`);
    notes.push(`recorded in ${record}`);
    notesZh.push(`已记录到 ${record}`);
  }
  if (expect === undefined) {
    return said(
      `当前为 ${seen}${notesZh.length ? `；${notesZh.join('；')}` : ''}`,
      `at ${seen}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    );
  }

  let wanted = expect;
  if (relative && 'history' in state) {
    const before = readRecorded(pathIn(ctx, since ?? ''));
    wanted = walkDown(state.history, before, Number(expect.slice(1)));
    notes.unshift(`${expect} from ${before} is ${wanted}`);
    notesZh.unshift(`${before} 往下 ${expect.slice(1)} 个版本是 ${wanted}`);
  }
  if (!matches(current, wanted)) {
    throw new CheckFailure(
      `expected ${wanted}, alembic current says ${seen}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    );
  }
  return said(
    `当前为 ${seen}，符合预期${notesZh.length ? `（${notesZh.join('；')}）` : ''}`,
    `at ${seen}, as expected${notes.length ? ` (${notes.join('; ')})` : ''}`,
  );
}

function readRecorded(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new CheckFailure(`no recorded revision in ${file} (run "revision --record" before the downgrade)`);
  }
  if (text.includes(','))
    throw new CheckFailure(`the recorded state has several heads (${text}); -N is ambiguous`);
  return text || 'base';
}

function matches(current: Current, wanted: string): boolean {
  const revs = current.revisions;
  if (wanted === 'base') return revs.length === 0;
  if (wanted === 'head') return revs.length > 0 && revs.every((r) => r.head);
  return revs.length === 1 && (revs[0]?.id ?? '').startsWith(wanted);
}

/**
 * `preview --to <-1|base|rev>`: what the downgrade would drop, from alembic's offline SQL, and how many rows each
 * dropped table holds now (the data the downgrade destroys; read from DATABASE_URL). For the approval card:
 * "6fc3f28b87c8 → base drops tables tokens (3 rows), …; indexes ix_a".
 */
export async function previewCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  const dir = flags.strings.get('alembic-dir');
  const to = flags.strings.get('to') ?? '-1';
  if (!/^(base|-\d{1,3}|[0-9A-Za-z_]{4,64})$/.test(to)) {
    throw new UsageError(`--to: -N, base or a revision id, got ${JSON.stringify(to)}`);
  }
  const current = await alembicCurrent(ctx, dir);
  const [only, ...more] = current.revisions;
  if (!only) throw new CheckFailure('the database is at base: there is nothing to downgrade');
  if (more.length > 0)
    throw new CheckFailure(`several heads are current (${describeCurrent(current)}); name one`);
  const { sql, landing } = await offlineSql(ctx, dir, 'downgrade', `${only.id}:${to}`);
  const ddl = parseDdl(sql);
  const tables = [...ddl.droppedTables];
  const indexes = [...ddl.droppedIndexes];
  const counts = tables.length > 0 ? await withDb(ctx, (client) => countRows(client, tables)) : [];
  const rows = describeCounts(counts);
  ctx.out(`alembic downgrade ${to}: ${describeCurrent(current)} → ${landing}`);
  if (tables.length > 0) ctx.out(`  drops tables: ${rows['en-US']}`);
  if (indexes.length > 0) ctx.out(`  drops indexes: ${list(indexes)}`);
  const head = `${only.id} → ${landing}`;
  if (tables.length + indexes.length === 0)
    return said(`${head}：不删除任何表或索引`, `${head}: drops no table or index`);
  const zh: string[] = [];
  const en: string[] = [];
  if (tables.length > 0) {
    zh.push(`删除 ${tables.length} 张表：${rows['zh-CN']}`);
    en.push(`drops ${tables.length === 1 ? 'table' : 'tables'} ${rows['en-US']}`);
  }
  if (indexes.length > 0) {
    zh.push(`删除索引：${indexes.join('、')}`);
    en.push(
      `${tables.length > 0 ? '' : 'drops '}${indexes.length === 1 ? 'index' : 'indexes'} ${list(indexes)}`,
    );
  }
  return said(`${head}：${zh.join('；')}`, `${head}: ${en.join('; ')}`);
}
