import { readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/checks/result.js';
import { alembic, check, createScratch, INSERT_TOKEN, type Scratch, tokenApps } from './helpers.js';

let db: Scratch;
let dir: string;

beforeAll(async () => {
  db = await createScratch('backup');
  dir = join(db.dir, 'backups');
  await alembic(db.env, 'upgrade', 'head');
});
afterAll(async () => {
  await db?.drop();
});

const dumps = () => readdirSync(dir).filter((n) => n.endsWith('.dump'));

describe('backup-create, backup, restore (real pg_dump -Fc / pg_restore)', () => {
  it('backup --info reports "none yet" without failing; backup without --info fails', async () => {
    expect((await check(db.env, ['backup', '--dir', dir, '--info'])).out).toBe(
      `backup: no backup directory yet (${dir})`,
    );
    expect((await check(db.env, ['backup', '--dir', dir])).code).toBe(1);
  });

  it('backup-create writes a verified custom-format dump; backup passes and prints name, size, age', async () => {
    await db.client.query(INSERT_TOKEN, ['before_backup']);
    const made = await check(db.env, [
      'backup-create',
      '--dir',
      dir,
      '--prefix',
      'lark-service_before_downgrade',
    ]);
    expect(made.code, made.err).toBe(0);
    expect(made.out).toMatch(
      /^backup-create: wrote .*\/lark-service_before_downgrade_\d{8}_\d{6}\.dump \(\d+\.\d KiB\); at 6fc3f28b87c8; rows: tokens 1, user_auth_sessions 0 and user_cache 0; pg_restore --list ok \(\d+ entries\), all data readable$/,
    );
    const [name] = dumps();
    expect(name).toBeDefined();
    const file = join(dir, name ?? '');
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The record of what it holds, next to it: the revision and the rows, counted in the dump's snapshot.
    expect(JSON.parse(readFileSync(`${file}.json`, 'utf8'))).toEqual({
      revision: ['6fc3f28b87c8'],
      rows: { tokens: 1, user_auth_sessions: 0, user_cache: 0 },
      empty: false,
    });
    expect(statSync(`${file}.json`).mode & 0o777).toBe(0o600);
    const seen = await check(db.env, [
      'backup',
      '--dir',
      dir,
      '--prefix',
      'lark-service',
      '--max-age',
      '10m',
    ]);
    expect(seen.code, seen.err).toBe(0);
    expect(seen.out).toMatch(
      new RegExp(
        `^backup: ${name}, \\d+\\.\\d KiB, \\d+m?s old; at 6fc3f28b87c8; rows: tokens 1, user_auth_sessions 0 and user_cache 0; pg_restore --list ok \\(\\d+ entries\\), all data readable$`,
      ),
    );
  });

  it('fails a backup that is too old, too small, of another prefix', async () => {
    expect((await check(db.env, ['backup', '--dir', dir, '--min-bytes', '1000000'])).err).toContain(
      'smaller than',
    );
    expect((await check(db.env, ['backup', '--dir', dir, '--prefix', 'other'])).err).toContain(
      'no restorable backup in',
    );
    const [name] = dumps();
    const file = join(dir, name ?? '');
    const old = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(file, old, old);
    expect((await check(db.env, ['backup', '--dir', dir])).err).toContain('older than 24h');
    expect((await check(db.env, ['backup', '--dir', dir, '--max-age', '3d'])).code).toBe(0);
    expect((await check(db.env, ['backup', '--dir', dir, '--info'])).code).toBe(0);
    utimesSync(file, new Date(), new Date());
  });

  it("fails integrity for a truncated dump and for a plain-SQL dump (the seed's slip)", async () => {
    const [name] = dumps();
    const good = readFileSync(join(dir, name ?? ''));
    const truncated = join(dir, 'zz_truncated.dump');
    writeFileSync(truncated, good);
    truncateSync(truncated, Math.floor(good.length * 0.6));
    const run = await check(db.env, [
      'backup',
      '--dir',
      dir,
      '--file',
      'zz_truncated.dump',
      '--min-bytes',
      '100',
    ]);
    expect(run.code, run.err).toBe(1);
    expect(run.err).toContain('not readable by pg_restore');
    expect(run.err).toMatch(/pg_restore (--list|\(reading the data\)) exited with code 1/);
    // Cut short near the end, a dump can still pass --list (it reads only the TOC): hence the full read.
    const tail = join(dir, 'zz_tail.dump');
    writeFileSync(tail, good.subarray(0, good.length - 64));
    const quick = await check(db.env, ['backup', '--dir', dir, '--file', 'zz_tail.dump', '--quick']);
    const thorough = await check(db.env, ['backup', '--dir', dir, '--file', 'zz_tail.dump']);
    expect(thorough.code).toBe(1);
    expect(thorough.err).toContain('pg_restore (reading the data) exited with code 1');
    expect([0, 1]).toContain(quick.code);
    // The newest file is the damaged one: the default check (newest) fails too.
    expect((await check(db.env, ['backup', '--dir', dir])).code).toBe(1);
    expect((await check(db.env, ['backup', '--dir', dir, '--exclude', 'zz_'])).code).toBe(0);

    const plain = join(db.dir, 'plain.sql');
    await execa('pg_dump', ['--file', plain, '--dbname', db.url]);
    const sql = await check(db.env, ['backup', '--dir', db.dir, '--file', 'plain.sql']);
    expect(sql.code).toBe(1);
    expect(sql.err).toContain('is a plain-SQL dump: pg_restore cannot read or verify it');
  });

  it('restore brings back a row written before the backup and drops one written after', async () => {
    await db.client.query(INSERT_TOKEN, ['after_backup']);
    expect(await tokenApps(db.client)).toEqual(['after_backup', 'before_backup']);
    const skipped = await check(db.env, ['restore', '--latest', '--dir', dir, '--only-if', 'no']);
    expect(skipped.out).toBe('restore: skipped (--only-if no)');
    // The newest file (the truncated one) is refused before anything is touched.
    const refused = await check(db.env, ['restore', '--latest', '--dir', dir]);
    expect(refused.code, refused.out).toBe(1);
    expect(await tokenApps(db.client)).toEqual(['after_backup', 'before_backup']);

    await db.client.query('DELETE FROM tokens WHERE app_id = $1', ['before_backup']);
    const run = await check(db.env, [
      'restore',
      '--file',
      'latest',
      '--dir',
      dir,
      '--exclude',
      'zz_',
      '--only-if',
      'yes',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('restore: restored lark-service_before_downgrade_');
    expect(run.out).toContain('now alembic_version = 6fc3f28b87c8');
    expect(await tokenApps(db.client)).toEqual(['before_backup']);
  });

  it("restore after a downgrade puts the schema back at the backup's revision; by file name too", async () => {
    await alembic(db.env, 'downgrade', 'base');
    const [name] = dumps().filter((n) => !n.startsWith('zz_'));
    const run = await check(db.env, ['restore', '--file', name ?? '', '--dir', dir]);
    expect(run.code, run.err).toBe(0);
    expect(await tokenApps(db.client)).toEqual(['before_backup']);
    expect(
      (await check(db.env, ['revision', '--expect', 'head', '--alembic-dir', 'examples/lark-service'])).code,
    ).toBe(0);
    expect((await check(db.env, ['restore', '--file', '../x.dump', '--dir', dir])).code).toBe(2);
    expect((await check(db.env, ['restore', '--file', 'nope.dump', '--dir', dir])).err).toContain(
      'no backup file nope.dump',
    );
  });
});

describe('latest is a real backup: never an evidence dump, never a dump of an empty schema', () => {
  it('skips drill dumps and empty dumps (recorded or not); the preflight shows what the chosen one holds', async () => {
    const picks = join(db.dir, 'picks');
    const create = async (env: Record<string, string>, prefix: string) => {
      const made = await check(env, ['backup-create', '--dir', picks, '--prefix', prefix, '--quick']);
      expect(made.code, made.err).toBe(0);
      return made;
    };
    await create(db.env, 'lark-service_before_downgrade');
    const good = readdirSync(picks).find((n) => n.endsWith('.dump')) ?? '';
    // Newer ones that must never be restored by `latest`: the drill's own dump, and a precheck on an empty db.
    await new Promise((r) => setTimeout(r, 1100));
    await create(db.env, 'lark-service_drill');
    const empty = await createScratch('empty');
    try {
      await new Promise((r) => setTimeout(r, 1100));
      const made = await create(empty.env, 'lark-service_before_downgrade');
      expect(made.out).toContain('at base; empty (no tables): marked empty, so latest never picks it');
      // A dump of an empty schema taken by hand (no record): its table of contents says it is empty.
      await execa('pg_dump', [
        '-Fc',
        '--file',
        join(picks, 'lark-service_before_downgrade_29990101_000000.dump'),
        '--dbname',
        empty.url,
      ]);
    } finally {
      await empty.drop();
    }
    expect(readdirSync(picks).filter((n) => n.endsWith('.dump'))).toHaveLength(4);
    const info = await check({ ...db.env, ROLLBACK_BOT_RESULT_LINE: '1' }, [
      'backup',
      '--dir',
      picks,
      '--info',
      '--quick',
    ]);
    expect(info.code, info.err).toBe(0);
    expect(info.out).toContain(`backup: ${good}, `);
    expect(info.out).toContain('at 6fc3f28b87c8; rows: tokens 1, user_auth_sessions 0 and user_cache 0');
    const result = parseResultLine(info.out);
    expect(result?.text['zh-CN']).toMatch(
      new RegExp(`^${good}，\\d+\\.\\d KiB，\\d+秒前；版本 6fc3f28b87c8；行数：tokens 1、`),
    );
    const restored = await check(db.env, ['restore', '--latest', '--dir', picks, '--quick']);
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toContain(`restored ${good}`);
    // Only evidence and empty dumps left: nothing restorable, and it says why.
    const none = await check(db.env, ['backup', '--dir', picks, '--exclude', good]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no restorable backup in');
    expect(none.err).toContain('(skipped 1 evidence dump(s), 2 empty dump(s))');
    const said = await check({ ...db.env, ROLLBACK_BOT_RESULT_LINE: '1' }, [
      'backup',
      '--dir',
      picks,
      '--exclude',
      good,
      '--info',
    ]);
    expect(parseResultLine(said.out)?.text['zh-CN']).toBe(
      `${picks}，排除 ${good} 中没有可恢复的备份（已跳过 1 个留证备份、2 个空库备份）（本次运行会新建备份）`,
    );
  });
});
