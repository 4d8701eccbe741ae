import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { I18nText } from '../../cards/model.js';
import { CheckFailure, formatBytes, formatDuration } from './args.js';
import { type Ctx, databaseUrl, describeFailure, exec, lastLines } from './context.js';

/** Backups the bot takes: `<dir>/<prefix>_<YYYYmmdd_HHMMSS>.dump`, custom format (`pg_dump -Fc`). */

export interface BackupFile {
  path: string;
  name: string;
  bytes: number;
  mtimeMs: number;
}

export interface Selection {
  prefix?: string | undefined;
  /** Names starting with any of these are skipped (e.g. the corrupted-data dump of scenario 2). */
  exclude?: readonly string[];
}

/** Regular files in `dir` matching the selection, newest first; hidden, `.partial` and record (`.json`) files are skipped. */
export function listBackups(dir: string, selection: Selection = {}): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CheckFailure(
      `cannot read backup directory ${dir}: ${code === 'ENOENT' ? 'it does not exist' : code}`,
    );
  }
  const files: BackupFile[] = [];
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('.partial') || name.endsWith('.json')) continue;
    if (selection.prefix && !name.startsWith(selection.prefix)) continue;
    if (selection.exclude?.some((p) => p !== '' && name.startsWith(p))) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isFile()) files.push({ path, name, bytes: stat.size, mtimeMs: stat.mtimeMs });
  }
  return files.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
}

export function describeSelection(dir: string, selection: Selection): string {
  const parts = [dir];
  if (selection.prefix) parts.push(`prefix ${selection.prefix}`);
  if (selection.exclude?.length) parts.push(`excluding ${selection.exclude.join(', ')}`);
  return parts.join(', ');
}

export function describeBackup(file: BackupFile, now = Date.now()): string {
  return `${file.name}, ${formatBytes(file.bytes)}, ${formatDuration(Math.max(0, now - file.mtimeMs))} old`;
}

/**
 * Integrity: `pg_restore --list` must read the archive's table of contents (exit 0), as the seed says; then,
 * unless `quick`, every data block is read too (`pg_restore --file /dev/null`), because --list reads only the
 * TOC and passes a dump cut short in its data (the tests have one). A plain-SQL dump fails: that is the seed's
 * slip (its `pg_restore --list backup.sql` can never pass), hence the bot's `-Fc` backups.
 */
export async function verifyBackup(ctx: Ctx, path: string, quick: boolean): Promise<string> {
  return (await verifyBackupSaid(ctx, path, quick))['en-US'];
}

/** verifyBackup's verdict in both languages. */
export async function verifyBackupSaid(ctx: Ctx, path: string, quick: boolean): Promise<I18nText> {
  const listed = await exec(ctx, 'pg_restore', ['--list', path], { timeoutMs: 10 * 60_000 });
  if (listed.exitCode !== 0) {
    if (/text format dump/i.test(listed.stderr)) {
      throw new CheckFailure(
        `${path} is a plain-SQL dump: pg_restore cannot read or verify it. Take backups with pg_dump -Fc ` +
          '(backup-create does); restore a plain dump by hand with psql',
      );
    }
    throw new CheckFailure(`integrity check failed: ${describeFailure('pg_restore --list', listed, 3)}`);
  }
  const entries = listed.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).length;
  if (quick)
    return {
      'zh-CN': `pg_restore --list 通过（${entries} 项）`,
      'en-US': `pg_restore --list ok (${entries} entries)`,
    };
  const read = await exec(ctx, 'pg_restore', ['--file', '/dev/null', path], { timeoutMs: 60 * 60_000 });
  if (read.exitCode !== 0) {
    throw new CheckFailure(
      `integrity check failed: ${describeFailure('pg_restore (reading the data)', read, 3)}`,
    );
  }
  return {
    'zh-CN': `pg_restore --list 通过（${entries} 项），全部数据可读`,
    'en-US': `pg_restore --list ok (${entries} entries), all data readable`,
  };
}

/** `YYYYmmdd_HHMMSS` in the process's time zone (TZ), as the seed's `date +%Y%m%d_%H%M%S`. */
export function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`
  );
}

/**
 * `pg_dump -Fc` of DATABASE_URL into `file`; the URL goes to pg_dump as `--dbname`, never to the output. With
 * `snapshot` (from pg_export_snapshot) it dumps exactly what that transaction sees.
 */
export async function dump(ctx: Ctx, file: string, snapshot?: string): Promise<void> {
  const result = await exec(
    ctx,
    'pg_dump',
    [
      '--format=custom',
      '--no-password',
      ...(snapshot ? [`--snapshot=${snapshot}`] : []),
      '--file',
      file,
      '--dbname',
      databaseUrl(ctx),
    ],
    {
      timeoutMs: 60 * 60_000,
    },
  );
  if (result.exitCode !== 0) throw new CheckFailure(describeFailure('pg_dump', result, 4));
}

/** `pg_restore --clean --if-exists --no-owner` in one transaction: all of it or none of it. */
export async function restore(ctx: Ctx, file: string): Promise<string> {
  const result = await exec(
    ctx,
    'pg_restore',
    [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--single-transaction',
      '--no-password',
      '--dbname',
      databaseUrl(ctx),
      file,
    ],
    { timeoutMs: 60 * 60_000 },
  );
  if (result.exitCode !== 0) throw new CheckFailure(describeFailure('pg_restore', result, 6));
  return lastLines(result.stderr, 3);
}
