import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImpactRevision, ImpactView, TableRows } from '../../cards/impact-model.js';
import { offlineSql } from './alembic.js';
import { appliedRevisions, type HistoryEntry, orderedDrops, parseVerboseHistory } from './alembic-history.js';
import { CheckFailure, type Parsed, UsageError } from './args.js';
import { type Ctx, describeFailure, errorText, exec, pathIn, withDb } from './context.js';
import { countRows, versionRows } from './db-state.js';
import type { CheckSaid } from './result.js';

/**
 * `impact [--alembic-dir d] [--max 30]`: the seed's "迁移版本" and "回滚影响分析" tables, live. Every revision
 * of `alembic history --verbose` with its message and date; what its `downgrade()` drops, from the offline SQL
 * (`alembic downgrade <rev>:<down> --sql`, no connection); and how many rows those tables hold now. The whole
 * analysis is printed as one `::impact {json}` line (the worker reads it); the database is asked first, so an
 * unreachable one is reported alone. Read-only.
 */

export const IMPACT_MARK = '::impact ';

const DEFAULT_MAX = 30;

type Emit = Omit<ImpactView, 'targetId'>;
type Analysis = Omit<Emit, 'at'>;

function emit(ctx: Ctx, view: Emit): void {
  ctx.out(`${IMPACT_MARK}${JSON.stringify(view)}`);
}

/** The alembic project's directory and config file; undefined with the reason when there is none. */
function alembicProject(ctx: Ctx, dir: string | undefined): { dir: string } | { missing: string } {
  const root = dir === undefined ? ctx.cwd : pathIn(ctx, dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    return { missing: `alembic directory ${root} does not exist` };
  // alembic itself reads ALEMBIC_CONFIG (the target may set it), relative to where it runs.
  const config = resolve(root, ctx.env.ALEMBIC_CONFIG || 'alembic.ini');
  if (!existsSync(config)) return { missing: `no alembic config ${config}` };
  return { dir: root };
}

export async function impactCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  const at = new Date().toISOString();
  const max = Number(flags.strings.get('max') ?? DEFAULT_MAX);
  if (!Number.isInteger(max) || max < 1 || max > 200)
    throw new UsageError(`--max: a whole number from 1 to 200, got ${flags.strings.get('max')}`);
  const project = alembicProject(ctx, flags.strings.get('alembic-dir'));
  if ('missing' in project) {
    emit(ctx, { at, outcome: 'no_alembic', reason: project.missing });
    throw new CheckFailure(project.missing);
  }
  // The database first: when it does not answer, that is the whole answer.
  let current: string[] | null;
  try {
    current = await withDb(ctx, versionRows);
  } catch (error) {
    const reason = errorText(error);
    emit(ctx, { at, outcome: error instanceof CheckFailure ? 'unreachable' : 'failed', reason });
    throw error;
  }
  try {
    const view = await analyse(ctx, project.dir, current, max);
    emit(ctx, { at, ...view });
    const n = view.revisions?.length ?? 0;
    return `${n} ${n === 1 ? 'revision' : 'revisions'}; current ${current?.join(', ') || 'base'}`;
  } catch (error) {
    emit(ctx, { at, outcome: 'failed', reason: errorText(error) });
    throw error;
  }
}

async function analyse(ctx: Ctx, dir: string, current: string[] | null, max: number): Promise<Analysis> {
  const history = await exec(ctx, 'alembic', ['history', '--verbose'], { cwd: dir, timeoutMs: 60_000 });
  if (history.exitCode !== 0) throw new CheckFailure(describeFailure('alembic history', history));
  const entries = parseVerboseHistory(history.stdout);
  const applied = appliedRevisions(entries, current ?? []);
  const shown = entries.slice(0, max);
  const revisions: ImpactRevision[] = [];
  for (const entry of shown) revisions.push(await revisionImpact(ctx, dir, entry, applied, current ?? []));
  const tables = [...new Set(revisions.flatMap(droppedTables))];
  const counts: TableRows[] = tables.length > 0 ? await withDb(ctx, (c) => countRows(c, tables)) : [];
  const byTable = new Map(counts.map((c) => [c.table, c]));
  for (const revision of revisions) {
    revision.rows = droppedTables(revision).map((t) => byTable.get(t) ?? { table: t, rows: null });
  }
  return {
    outcome: 'ok',
    current,
    revisions,
    ...(entries.length > shown.length ? { omitted: entries.length - shown.length } : {}),
  };
}

const droppedTables = (r: ImpactRevision): string[] =>
  r.drops.filter((d) => d.kind === 'table').flatMap((d) => d.names);

async function revisionImpact(
  ctx: Ctx,
  dir: string,
  entry: HistoryEntry,
  applied: Set<string>,
  current: readonly string[],
): Promise<ImpactRevision> {
  const base: ImpactRevision = {
    id: entry.id,
    message: entry.message,
    ...(entry.date ? { date: entry.date } : {}),
    parents: entry.parents,
    head: entry.head,
    applied: applied.has(entry.id),
    current: current.includes(entry.id),
    drops: [],
    rows: [],
  };
  try {
    const { sql } = await offlineSql(ctx, dir, 'downgrade', `${entry.id}:${entry.parents[0] ?? 'base'}`);
    return { ...base, drops: orderedDrops(sql) };
  } catch (error) {
    return { ...base, error: errorText(error).split('\n').slice(-3).join(' ').slice(0, 300) };
  }
}
