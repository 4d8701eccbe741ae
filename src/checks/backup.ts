import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { I18nText } from '../../cards/model.js';
import {
  CheckFailure,
  durationFlag,
  formatBytes,
  formatDuration,
  intFlag,
  type Parsed,
  required,
  UsageError,
} from './args.js';
import {
  type BackupFile,
  describeSelection,
  dump,
  listBackups,
  restore,
  timestamp,
  verifyBackup,
  verifyBackupSaid,
} from './backup-files.js';
import {
  describeFile,
  describeRecord,
  isEmptyDump,
  isEvidence,
  readRecord,
  recordOf,
  writeRecord,
} from './backup-record.js';
import { type Ctx, pathIn, withDb } from './context.js';
import { describeVersion, versionRows } from './db-state.js';
import { type CheckSaid, said } from './result.js';

/**
 * The backup a check is about: `--file <name>` in `--dir` (or a path when there is no --dir), or the newest in
 * `--dir` (`--latest`, `--file latest`, or no --file) among names with `--prefix` and without any `--exclude`.
 * `latest` never picks an evidence dump (drill, corrupted, emergency, …) or a dump of an empty schema.
 * Undefined when the directory holds no such backup.
 */
async function chooseBackup(ctx: Ctx, flags: Parsed): Promise<{ file?: BackupFile; none: I18nText }> {
  const fileFlag = flags.strings.get('file');
  const dirFlag = flags.strings.get('dir');
  if (flags.booleans.has('latest') && fileFlag !== undefined)
    throw new UsageError('give --file or --latest, not both');
  if (fileFlag === undefined || fileFlag === 'latest') {
    if (!dirFlag) throw new UsageError('--dir is required to find the latest backup');
    const sel = { prefix: flags.strings.get('prefix'), exclude: flags.lists.get('exclude') ?? [] };
    let evidence = 0;
    let empty = 0;
    for (const file of listBackups(pathIn(ctx, dirFlag), sel)) {
      if (isEvidence(file.name, sel.prefix)) evidence++;
      else if (await isEmptyDump(ctx, file)) empty++;
      else return { file, none: said('', '') };
    }
    const where = describeSelection(dirFlag, sel);
    const skippedEn = [evidence ? `${evidence} evidence dump(s)` : '', empty ? `${empty} empty dump(s)` : '']
      .filter(Boolean)
      .join(', ');
    const skippedZh = [evidence ? `${evidence} 个留证备份` : '', empty ? `${empty} 个空库备份` : '']
      .filter(Boolean)
      .join('、');
    const whereZh = [
      dirFlag,
      sel.prefix ? `前缀 ${sel.prefix}` : '',
      sel.exclude.length ? `排除 ${sel.exclude.join('、')}` : '',
    ]
      .filter(Boolean)
      .join('，');
    return {
      none: said(
        `${whereZh} 中没有可恢复的备份${skippedZh ? `（已跳过 ${skippedZh}）` : ''}`,
        `no restorable backup in ${where}${skippedEn ? ` (skipped ${skippedEn})` : ''}`,
      ),
    };
  }
  if (dirFlag && (fileFlag.includes('/') || fileFlag.startsWith('.'))) {
    throw new UsageError(
      `--file with --dir is a file name in that directory, got ${JSON.stringify(fileFlag)}`,
    );
  }
  if (!dirFlag && !fileFlag.includes('/')) throw new UsageError('a bare --file name needs --dir');
  const path = dirFlag ? join(pathIn(ctx, dirFlag), fileFlag) : pathIn(ctx, fileFlag);
  const stat = statSync(path, { throwIfNoEntry: false });
  const file = stat?.isFile()
    ? { path, name: basename(path), bytes: stat.size, mtimeMs: stat.mtimeMs }
    : undefined;
  const where = dirFlag ? ` in ${dirFlag}` : '';
  return {
    ...(file ? { file } : {}),
    none: said(
      `没有备份文件 ${fileFlag}${dirFlag ? `（${dirFlag}）` : ''}`,
      `no backup file ${fileFlag}${where}`,
    ),
  };
}

/** `name, size, age; at <rev>; rows: …` in both languages. */
function about(file: BackupFile): I18nText {
  const f = describeFile(file);
  const r = describeRecord(readRecord(file.path));
  return said(`${f['zh-CN']}；${r['zh-CN']}`, `${f['en-US']}; ${r['en-US']}`);
}

/**
 * `backup --dir d [--file name|latest] [--prefix p] [--exclude p]… [--max-age 24h] [--min-bytes 1024] [--quick]
 * [--info]`: the backup (the newest by default) exists, is big enough, fresh enough and readable by pg_restore;
 * says the revision and rows it holds. `--info` reports without failing (for a preflight, where "no backup yet"
 * must not stop a runbook that takes one).
 */
export async function backupCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  const dirFlag = required(flags, 'dir');
  const maxAgeMs = durationFlag(flags, 'max-age', '24h');
  const minBytes = intFlag(flags, 'min-bytes', 1024) ?? 1024;
  const info = flags.booleans.has('info');
  if (info && !existsSync(pathIn(ctx, dirFlag)))
    return said(`还没有备份目录（${dirFlag}）`, `no backup directory yet (${dirFlag})`);
  const { file, none } = await chooseBackup(ctx, flags);
  if (!file) {
    if (info) return said(`${none['zh-CN']}（本次运行会新建备份）`, `${none['en-US']} (this run takes one)`);
    throw new CheckFailure(none['en-US']);
  }
  const problems: string[] = [];
  const problemsZh: string[] = [];
  if (Date.now() - file.mtimeMs > maxAgeMs) {
    problems.push(`older than ${formatDuration(maxAgeMs)}`);
    problemsZh.push(`超过 ${formatDuration(maxAgeMs)}`);
  }
  if (file.bytes < minBytes) {
    problems.push(`smaller than ${formatBytes(minBytes)}`);
    problemsZh.push(`小于 ${formatBytes(minBytes)}`);
  }
  let integrity: I18nText;
  try {
    integrity = await verifyBackupSaid(ctx, file.path, flags.booleans.has('quick'));
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    integrity = said('完整性检查未通过', error.message);
    problems.push('not readable by pg_restore');
    problemsZh.push('pg_restore 无法读取');
  }
  const what = about(file);
  if (problems.length === 0)
    return said(`${what['zh-CN']}；${integrity['zh-CN']}`, `${what['en-US']}; ${integrity['en-US']}`);
  const verdict = `backup ${what['en-US']}: ${problems.join(', ')}; ${integrity['en-US']}`;
  if (info) return said(`备份 ${what['zh-CN']}：${problemsZh.join('、')}；${integrity['zh-CN']}`, verdict);
  throw new CheckFailure(verdict);
}

/**
 * `backup-create --dir d --prefix p [--quick]`: `pg_dump -Fc` of DATABASE_URL to `<d>/<p>_<YYYYmmdd_HHMMSS>.dump`
 * (written as `.partial`, verified with pg_restore --list, then renamed, so a half-written dump is never the
 * newest backup), and its record `<dump>.json`: the revision and rows per table, counted in the snapshot the dump
 * reads. A database without tables is dumped but recorded empty, so `latest` never restores it. The directory is
 * created private (0700), the files 0600: they hold tokens.
 */
export async function backupCreateCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  const dirFlag = required(flags, 'dir');
  const prefix = required(flags, 'prefix');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(prefix)) {
    throw new UsageError(`--prefix: letters, digits, ".", "_" and "-", got ${JSON.stringify(prefix)}`);
  }
  const dir = pathIn(ctx, dirFlag);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = timestamp();
  let name = `${prefix}_${stamp}.dump`;
  for (let n = 2; existsSync(join(dir, name)); n++) name = `${prefix}_${stamp}_${n}.dump`;
  const final = join(dir, name);
  const partial = `${final}.partial`;
  try {
    const record = await withDb(ctx, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      try {
        const { rows } = await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s');
        const seen = await recordOf(client);
        await dump(ctx, partial, rows[0]?.s);
        return seen;
      } finally {
        await client.query('COMMIT').catch(() => {});
      }
    });
    chmodSync(partial, 0o600);
    const integrity = await verifyBackupSaid(ctx, partial, flags.booleans.has('quick'));
    writeRecord(final, record);
    renameSync(partial, final);
    const size = formatBytes(statSync(final).size);
    const held = describeRecord(record);
    const path = join(dirFlag, name);
    if (record.empty) {
      return said(
        `已写入 ${path}（${size}）；${held['zh-CN']}：已标记为空库备份，latest 永远不会选它`,
        `wrote ${path} (${size}); ${held['en-US']}: marked empty, so latest never picks it`,
      );
    }
    return said(
      `已写入 ${path}（${size}）；${held['zh-CN']}；${integrity['zh-CN']}`,
      `wrote ${path} (${size}); ${held['en-US']}; ${integrity['en-US']}`,
    );
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * `restore --file <name|path|latest> | --latest, [--dir d] [--prefix p] [--exclude p]… [--quick]`: verifies the
 * backup, then `pg_restore --clean --if-exists --no-owner --single-transaction` (all of it or nothing). Made
 * optional with the common `--only-if {{params.restore}}` (runbook steps have no conditions).
 */
export async function restoreCheck(ctx: Ctx, flags: Parsed): Promise<CheckSaid> {
  if (!flags.booleans.has('latest') && flags.strings.get('file') === undefined) {
    throw new UsageError('give --file <name|path|latest> or --latest');
  }
  const { file, none } = await chooseBackup(ctx, flags);
  if (!file) throw new CheckFailure(none['en-US']);
  const integrity = await verifyBackup(ctx, file.path, flags.booleans.has('quick'));
  const what = about(file);
  ctx.out(`restoring ${what['en-US']}; ${integrity}`);
  await restore(ctx, file.path);
  const version = await withDb(ctx, versionRows);
  const now = describeVersion(version);
  const rev = version === null || version.length === 0 ? 'base' : version.join(', ');
  return said(
    `已恢复 ${file.name}（${describeRecord(readRecord(file.path))['zh-CN']}）；现在版本为 ${rev}`,
    `restored ${file.name}; now ${now}`,
  );
}
