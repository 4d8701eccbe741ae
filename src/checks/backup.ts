import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
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
  describeBackup,
  describeSelection,
  dump,
  listBackups,
  restore,
  timestamp,
  verifyBackup,
} from './backup-files.js';
import { type Ctx, pathIn, withDb } from './context.js';
import { describeVersion, versionRows } from './db-state.js';

/**
 * The backup a check is about: `--file <name>` in `--dir` (or a path when there is no --dir), or the newest in
 * `--dir` (`--latest`, `--file latest`, or no --file) among names with `--prefix` and without any `--exclude`.
 * Undefined when the directory holds no such backup.
 */
function chooseBackup(ctx: Ctx, flags: Parsed): { file?: BackupFile; none: string } {
  const fileFlag = flags.strings.get('file');
  const dirFlag = flags.strings.get('dir');
  if (flags.booleans.has('latest') && fileFlag !== undefined)
    throw new UsageError('give --file or --latest, not both');
  if (fileFlag === undefined || fileFlag === 'latest') {
    if (!dirFlag) throw new UsageError('--dir is required to find the latest backup');
    const sel = { prefix: flags.strings.get('prefix'), exclude: flags.lists.get('exclude') ?? [] };
    return {
      ...pick(listBackups(pathIn(ctx, dirFlag), sel)[0]),
      none: `no backup in ${describeSelection(dirFlag, sel)}`,
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
  return { ...pick(file), none: `no backup file ${fileFlag}${dirFlag ? ` in ${dirFlag}` : ''}` };
}

const pick = (file: BackupFile | undefined) => (file ? { file } : {});

/**
 * `backup --dir d [--file name|latest] [--prefix p] [--exclude p]… [--max-age 24h] [--min-bytes 1024] [--quick]
 * [--info]`: the backup (the newest by default) exists, is big enough, fresh enough and readable by pg_restore.
 * `--info` reports without failing (for a preflight, where "no backup yet" must not stop a runbook that takes one).
 */
export async function backupCheck(ctx: Ctx, flags: Parsed): Promise<string> {
  const dirFlag = required(flags, 'dir');
  const maxAgeMs = durationFlag(flags, 'max-age', '24h');
  const minBytes = intFlag(flags, 'min-bytes', 1024) ?? 1024;
  const info = flags.booleans.has('info');
  if (info && !existsSync(pathIn(ctx, dirFlag))) return `no backup directory yet (${dirFlag})`;
  const { file, none } = chooseBackup(ctx, flags);
  if (!file) {
    if (info) return `${none} (this run takes one)`;
    throw new CheckFailure(none);
  }
  const problems: string[] = [];
  if (Date.now() - file.mtimeMs > maxAgeMs) problems.push(`older than ${formatDuration(maxAgeMs)}`);
  if (file.bytes < minBytes) problems.push(`smaller than ${formatBytes(minBytes)}`);
  let integrity: string;
  try {
    integrity = await verifyBackup(ctx, file.path, flags.booleans.has('quick'));
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    integrity = error.message;
    problems.push('not readable by pg_restore');
  }
  const about = describeBackup(file);
  if (problems.length === 0) return `${about}; ${integrity}`;
  const verdict = `backup ${about}: ${problems.join(', ')}; ${integrity}`;
  if (info) return verdict;
  throw new CheckFailure(verdict);
}

/**
 * `backup-create --dir d --prefix p [--quick]`: `pg_dump -Fc` of DATABASE_URL to `<d>/<p>_<YYYYmmdd_HHMMSS>.dump`
 * (written as `.partial`, verified with pg_restore --list, then renamed, so a half-written dump is never the
 * newest backup). The directory is created private (0700), the file 0600: it holds tokens.
 */
export async function backupCreateCheck(ctx: Ctx, flags: Parsed): Promise<string> {
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
    await dump(ctx, partial);
    chmodSync(partial, 0o600);
    const integrity = await verifyBackup(ctx, partial, flags.booleans.has('quick'));
    renameSync(partial, final);
    return `wrote ${join(dirFlag, name)} (${formatBytes(statSync(final).size)}); ${integrity}`;
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * `restore --file <name|path|latest> | --latest, [--dir d] [--prefix p] [--exclude p]… [--quick]`: verifies the
 * backup, then `pg_restore --clean --if-exists --no-owner --single-transaction` (all of it or nothing). Made
 * optional with the common `--only-if {{params.restore}}` (runbook steps have no conditions).
 */
export async function restoreCheck(ctx: Ctx, flags: Parsed): Promise<string> {
  if (!flags.booleans.has('latest') && flags.strings.get('file') === undefined) {
    throw new UsageError('give --file <name|path|latest> or --latest');
  }
  const { file, none } = chooseBackup(ctx, flags);
  if (!file) throw new CheckFailure(none);
  const integrity = await verifyBackup(ctx, file.path, flags.booleans.has('quick'));
  ctx.out(`restoring ${describeBackup(file)}; ${integrity}`);
  await restore(ctx, file.path);
  const version = await withDb(ctx, versionRows);
  return `restored ${file.name}; now ${describeVersion(version)}`;
}
