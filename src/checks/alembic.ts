import { CheckFailure } from './args.js';
import { type Ctx, describeFailure, type ExecResult, exec, pathIn } from './context.js';

/** What the checks learn from Debian's alembic (1.8) by running it, never by importing it. */

export interface Current {
  /** Empty at base. */
  revisions: Array<{ id: string; head: boolean }>;
}

/** `base`, `6fc3f28b87c8 (head)`, or several heads joined by `, `. */
export function describeCurrent(current: Current): string {
  if (current.revisions.length === 0) return 'base';
  return current.revisions.map((r) => (r.head ? `${r.id} (head)` : r.id)).join(', ');
}

function alembicDir(ctx: Ctx, dir: string | undefined): string {
  return dir === undefined ? ctx.cwd : pathIn(ctx, dir);
}

async function alembic(ctx: Ctx, dir: string | undefined, args: string[]): Promise<ExecResult> {
  const result = await exec(ctx, 'alembic', args, { cwd: alembicDir(ctx, dir), timeoutMs: 5 * 60_000 });
  if (result.exitCode !== 0) throw new CheckFailure(describeFailure(`alembic ${args.join(' ')}`, result));
  return result;
}

const CURRENT_LINE = /^([0-9A-Za-z_]+)((?: \([^)]*\))*)\s*$/;

export function parseCurrent(stdout: string): Current {
  const revisions: Current['revisions'] = [];
  for (const line of stdout.split('\n')) {
    const m = CURRENT_LINE.exec(line.trim());
    if (m?.[1]) revisions.push({ id: m[1], head: /\(head\)/.test(m[2] ?? '') });
  }
  return { revisions };
}

export async function alembicCurrent(ctx: Ctx, dir?: string): Promise<Current> {
  return parseCurrent((await alembic(ctx, dir, ['current'])).stdout);
}

/** revision → its down revisions (empty for the first one), from `alembic history`. */
export type History = Map<string, string[]>;

export function parseHistory(stdout: string): History {
  const history: History = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^(.+?) -> ([0-9A-Za-z_]+)(?: \([^)]*\))*, /.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const downs = m[1]
      .replace(/[()]/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== '<base>');
    history.set(m[2], downs);
  }
  return history;
}

/**
 * The history and the current revision(s) from one `alembic history --indicate-current` (one Python start
 * instead of two): the lines marked `(current)` are what `alembic current` would print.
 */
export async function alembicState(ctx: Ctx, dir?: string): Promise<{ current: Current; history: History }> {
  const { stdout } = await alembic(ctx, dir, ['history', '--indicate-current']);
  const revisions: Current['revisions'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^.+? -> ([0-9A-Za-z_]+)((?: \([^)]*\))*), /.exec(line.trim());
    if (m?.[1] && /\(current\)/.test(m[2] ?? ''))
      revisions.push({ id: m[1], head: /\(head\)/.test(m[2] ?? '') });
  }
  return { current: { revisions }, history: parseHistory(stdout) };
}

/** The revision `steps` below `from` ('base' when it runs out); throws at a merge point. */
export function walkDown(history: History, from: string, steps: number): string {
  let at = from;
  for (let i = 0; i < steps; i++) {
    if (at === 'base') return 'base';
    const downs = history.get(at);
    if (downs === undefined) throw new CheckFailure(`revision ${at} is not in alembic history`);
    if (downs.length > 1) throw new CheckFailure(`revision ${at} is a merge point; -${steps} is ambiguous`);
    at = downs[0] ?? 'base';
  }
  return at;
}

export interface OfflineScript {
  sql: string;
  /** Where the script ends: the last "Running upgrade/downgrade A -> B" line's B (`base` when empty). */
  landing: string;
}

/** Offline SQL (`--sql`): what an upgrade or a downgrade would execute; connects to nothing. */
export async function offlineSql(
  ctx: Ctx,
  dir: string | undefined,
  direction: 'upgrade' | 'downgrade',
  range: string,
): Promise<OfflineScript> {
  const result = await alembic(ctx, dir, [direction, range, '--sql']);
  const steps = [...result.stderr.matchAll(/Running (?:upgrade|downgrade) (\S*) -> ([^,\s]*),/g)];
  const last = steps[steps.length - 1];
  return { sql: result.stdout, landing: last ? last[2] || 'base' : 'unchanged' };
}

export interface Ddl {
  createdTables: Set<string>;
  droppedTables: Set<string>;
  createdIndexes: Set<string>;
  droppedIndexes: Set<string>;
  /** What exists after the whole script, statements applied in order (a dropped table takes its indexes). */
  tables: Set<string>;
  indexes: Set<string>;
}

const IDENT = String.raw`((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)`;
const STATEMENT = new RegExp(
  [
    String.raw`\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}`,
    String.raw`\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${IDENT}`,
    String.raw`\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}\s+ON\s+(?:ONLY\s+)?${IDENT}`,
    String.raw`\bDROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?${IDENT}`,
  ].join('|'),
  'gi',
);

/** `"Foo"` → `Foo`, `public.tokens` → `tokens`, `TOKENS` → `tokens` (Postgres folds unquoted names). */
function bareName(raw: string): string {
  const last = raw.match(/"[^"]+"|[\w$]+/g)?.pop() ?? raw;
  return last.startsWith('"') ? last.slice(1, -1) : last.toLowerCase();
}

/** Tables and indexes an offline script creates and drops (alembic's own version table left out). */
export function parseDdl(sql: string): Ddl {
  const ddl: Ddl = {
    createdTables: new Set(),
    droppedTables: new Set(),
    createdIndexes: new Set(),
    droppedIndexes: new Set(),
    tables: new Set(),
    indexes: new Set(),
  };
  const indexTable = new Map<string, string>();
  for (const m of sql.matchAll(STATEMENT)) {
    const [, createTable, dropTable, createIndex, onTable, dropIndex] = m;
    if (createTable && bareName(createTable) !== 'alembic_version') {
      ddl.createdTables.add(bareName(createTable));
      ddl.tables.add(bareName(createTable));
    } else if (dropTable && bareName(dropTable) !== 'alembic_version') {
      const table = bareName(dropTable);
      ddl.droppedTables.add(table);
      ddl.tables.delete(table);
      for (const [index, owner] of indexTable) if (owner === table) ddl.indexes.delete(index);
    } else if (createIndex && onTable) {
      ddl.createdIndexes.add(bareName(createIndex));
      ddl.indexes.add(bareName(createIndex));
      indexTable.set(bareName(createIndex), bareName(onTable));
    } else if (dropIndex) {
      ddl.droppedIndexes.add(bareName(dropIndex));
      ddl.indexes.delete(bareName(dropIndex));
    }
  }
  return ddl;
}

/** Tables and indexes that exist once the migrations up to `revision` ran from base (offline, in order). */
export async function schemaAt(ctx: Ctx, dir: string | undefined, revision: string): Promise<Ddl> {
  if (revision === 'base') return parseDdl('');
  return parseDdl((await offlineSql(ctx, dir, 'upgrade', revision)).sql);
}
