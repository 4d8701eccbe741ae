import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type pg from 'pg';
import type { I18nText } from '../../cards/model.js';
import { formatBytes, formatDuration } from './args.js';
import type { BackupFile } from './backup-files.js';
import { type Ctx, exec } from './context.js';
import { countRows, existingTables, list, versionRows } from './db-state.js';

/**
 * What a backup holds, recorded when it is taken: a sidecar `<dump>.json` next to the dump with the revision
 * (`alembic_version` rows) and each table's rows, counted in the very snapshot pg_dump reads. `latest` never
 * picks an evidence dump (drill, corrupted, …; docs/runbooks.md) or a dump of an empty schema.
 */
export interface BackupRecord {
  /** `alembic_version` rows; null when the table did not exist. */
  revision: string[] | null;
  /** Rows per table (alembic_version left out), in name order. */
  rows: Record<string, number>;
  /** No table besides alembic_version: nothing to restore. */
  empty: boolean;
}

export const RECORD_SUFFIX = '.json';

export function recordPath(dumpPath: string): string {
  return `${dumpPath}${RECORD_SUFFIX}`;
}

/** What the database holds now (call inside the snapshot the dump uses). */
export async function recordOf(client: pg.Client): Promise<BackupRecord> {
  const tables = [...(await existingTables(client))].filter((t) => t !== 'alembic_version');
  const counts = await countRows(client, tables);
  const rows: Record<string, number> = {};
  for (const c of counts) rows[c.table] = c.rows ?? 0;
  return { revision: await versionRows(client), rows, empty: tables.length === 0 };
}

export function writeRecord(dumpPath: string, record: BackupRecord): void {
  const path = recordPath(dumpPath);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The sidecar, or undefined (a dump taken by hand, or by an older bot). Never throws. */
export function readRecord(dumpPath: string): BackupRecord | undefined {
  try {
    const body = JSON.parse(readFileSync(recordPath(dumpPath), 'utf8')) as Partial<BackupRecord>;
    if (typeof body.rows !== 'object' || body.rows === null || typeof body.empty !== 'boolean')
      return undefined;
    return {
      revision: Array.isArray(body.revision) ? body.revision : null,
      rows: body.rows,
      empty: body.empty,
    };
  } catch {
    return undefined;
  }
}

/** Backups kept as evidence, never restored by `latest`: `<target>_<purpose>_<YYYYmmdd_HHMMSS>.dump`. */
const PURPOSES = 'failed_migration|corrupted|emergency|drill|before_stamp';
const EVIDENCE = new RegExp(`_(${PURPOSES})_\\d{8}_\\d{6}(_\\d+)?\\.dump$`);
const EVIDENCE_PREFIX = new RegExp(`_(${PURPOSES})_?$`);

/** An evidence dump, unless the selection's prefix asks for that purpose itself (a step verifying its own dump). */
export function isEvidence(name: string, prefix?: string): boolean {
  return EVIDENCE.test(name) && !(prefix !== undefined && EVIDENCE_PREFIX.test(prefix));
}

/**
 * Whether a dump holds no table besides alembic_version: from its record, else from its table of contents
 * (`pg_restore --list`, whose `TABLE` entries name the tables). A dump that cannot be listed is not called
 * empty here; verification refuses it later with the reason.
 */
export async function isEmptyDump(ctx: Ctx, file: BackupFile): Promise<boolean> {
  const record = readRecord(file.path);
  if (record) return record.empty;
  const listed = await exec(ctx, 'pg_restore', ['--list', file.path], { timeoutMs: 10 * 60_000 });
  if (listed.exitCode !== 0) return false;
  const tables = listed.stdout
    .split('\n')
    .filter((l) => !l.startsWith(';'))
    .map((l) => / TABLE (?!DATA )\S+ (\S+) /.exec(l)?.[1])
    .filter((t): t is string => t !== undefined && t !== 'alembic_version');
  return tables.length === 0;
}

/** `at 6fc3f28b87c8; rows: tokens 2, users 10` in both languages; says so when nothing was recorded. */
export function describeRecord(record: BackupRecord | undefined): I18nText {
  if (!record) return { 'zh-CN': '未记录其版本和行数', 'en-US': 'its revision and rows were not recorded' };
  const rev = record.revision === null || record.revision.length === 0 ? 'base' : record.revision.join(', ');
  if (record.empty) {
    return { 'zh-CN': `版本 ${rev}；空库（没有任何表）`, 'en-US': `at ${rev}; empty (no tables)` };
  }
  const entries = Object.entries(record.rows);
  return {
    'zh-CN': `版本 ${rev}；行数：${entries.map(([t, n]) => `${t} ${n}`).join('、')}`,
    'en-US': `at ${rev}; rows: ${list(entries.map(([t, n]) => `${t} ${n}`))}`,
  };
}

/** `name, 12.4 KiB, 3m05s old` in both languages (the Chinese without English units). */
export function describeFile(file: BackupFile, now = Date.now()): I18nText {
  const age = formatDuration(Math.max(0, now - file.mtimeMs));
  const zhAge = age
    .replace(/ms$/, '毫秒')
    .replace(/h/, '小时')
    .replace(/m(?!s)/, '分')
    .replace(/s$/, '秒');
  return {
    'zh-CN': `${file.name}，${formatBytes(file.bytes)}，${zhAge}前`,
    'en-US': `${file.name}, ${formatBytes(file.bytes)}, ${age} old`,
  };
}
