import { CheckFailure } from './args.js';
import { type Ctx, describeFailure, type ExecResult, exec, pathIn, withDb } from './context.js';
import { versionRows } from './db-state.js';
import { ScriptDirCache, scriptDirFingerprint } from './script-dir.js';

/**
 * What the checks learn from Debian's alembic (1.8) by running it, never by importing it; and what Postgres
 * answers without alembic: the current revision is the `alembic_version` table's rows (one SELECT). What needs
 * the script directory (heads, down-revisions, offline SQL) runs alembic once and is kept while the directory's
 * files are unchanged (script-dir.ts).
 */

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

/**
 * The current revision(s): `alembic_version`'s rows (none, or no such table: base), each marked head when the
 * script directory says so. Without DATABASE_URL in the env (a project whose env.py finds its database some
 * other way) it asks `alembic current`.
 */
export async function alembicCurrent(ctx: Ctx, dir?: string): Promise<Current> {
  if (!ctx.env.DATABASE_URL?.trim()) return parseCurrent((await alembic(ctx, dir, ['current'])).stdout);
  const [rows, script] = await Promise.all([withDb(ctx, versionRows), scriptHistory(ctx, dir)]);
  // No `alembic_version` table: a database never migrated, or a project whose env.py names its own version table
  // (version_table / version_table_schema). Only alembic knows which: ask it, on this rare path only.
  if (rows === null) return parseCurrent((await alembic(ctx, dir, ['current'])).stdout);
  const revisions = rows.map((id) => {
    // alembic current fails the same way ("Can't locate revision identified by …").
    if (!script.history.has(id))
      throw new CheckFailure(`alembic_version holds ${id}, which no migration script defines`);
    return { id, head: script.heads.has(id) };
  });
  return { revisions };
}

export interface ScriptHistory {
  history: History;
  heads: Set<string>;
}

const histories = new ScriptDirCache<ScriptHistory>();
const offlineScripts = new ScriptDirCache<OfflineScript>();

/** How many times alembic was run for a history or an offline script (the rest came from the cache). */
export function scriptDirRuns(): number {
  return histories.computed + offlineScripts.computed;
}

function cacheKey(ctx: Ctx, dir: string | undefined, ...parts: string[]): string | undefined {
  const cwd = alembicDir(ctx, dir);
  const fingerprint = scriptDirFingerprint(cwd, ctx.env);
  return fingerprint && [cwd, ctx.env.ALEMBIC_CONFIG ?? '', fingerprint, ...parts].join('\0');
}

/** `alembic history` (the script directory only; no database): every revision's down revisions and the heads. */
export function scriptHistory(ctx: Ctx, dir?: string): Promise<ScriptHistory> {
  return histories.get(cacheKey(ctx, dir, 'history'), async () => {
    const { stdout } = await alembic(ctx, dir, ['history']);
    return { history: parseHistory(stdout), heads: parseHeads(stdout) };
  });
}

/** The revisions `alembic history` marks `(head)`. */
export function parseHeads(stdout: string): Set<string> {
  const heads = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = HISTORY_LINE.exec(line.trim());
    if (m?.[2] && /\(head\)/.test(m[3] ?? '')) heads.add(m[2]);
  }
  return heads;
}

/** revision → its down revisions (empty for the first one), from `alembic history`. */
export type History = Map<string, string[]>;

/** `<down>[, <down>…] -> <rev> [(head)] [(mergepoint)]…, <message>`; the message may be empty. */
const HISTORY_LINE = /^(.+?) -> ([0-9A-Za-z_]+)((?: \([^)]*\))*),(?: |$)/;

export function parseHistory(stdout: string): History {
  const history: History = new Map();
  for (const line of stdout.split('\n')) {
    const m = HISTORY_LINE.exec(line.trim());
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

/** The current revision(s) (from Postgres) and the history (from the script directory, kept while unchanged). */
export async function alembicState(ctx: Ctx, dir?: string): Promise<{ current: Current; history: History }> {
  const [current, script] = await Promise.all([alembicCurrent(ctx, dir), scriptHistory(ctx, dir)]);
  return { current, history: script.history };
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
  // The dialect comes from DATABASE_URL's scheme (env.py), so the scheme is part of the key; nothing else of it.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(ctx.env.DATABASE_URL?.trim() ?? '')?.[0] ?? '';
  return offlineScripts.get(cacheKey(ctx, dir, direction, range, scheme), async () => {
    const result = await alembic(ctx, dir, [direction, range, '--sql']);
    // `Running downgrade A -> B, message`; a migration without a message has no `, …` (B empty: base).
    const steps = [
      ...result.stderr.matchAll(/Running (?:upgrade|downgrade) (\S*) -> ([^,\s]*)[ \t]*(?:,|$)/gm),
    ];
    const last = steps[steps.length - 1];
    return { sql: result.stdout, landing: last ? last[2] || 'base' : 'unchanged' };
  });
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

/** A SQL name as alembic's offline scripts write it: bare or quoted, optionally schema-qualified. */
export const IDENT = String.raw`((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)`;
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
export function bareName(raw: string): string {
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
