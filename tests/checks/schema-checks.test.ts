import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, describeCounts } from '../../src/checks/db-state.js';
import { parseResultLine } from '../../src/checks/result.js';
import { ALEMBIC_DIR, alembic, check, createScratch, INSERT_TOKEN, type Scratch } from './helpers.js';

let db: Scratch;
const A = ['--alembic-dir', ALEMBIC_DIR];

beforeAll(async () => {
  db = await createScratch('schema');
});
afterAll(async () => {
  await db?.drop();
});

describe('revision, preview, table, rows, schema, drill-row (real alembic, real Postgres)', () => {
  it('revision sees base on a new database and head after the upgrade', async () => {
    expect(await check(db.env, ['revision', '--expect', 'base', ...A])).toMatchObject({
      code: 0,
      out: 'revision: at base, as expected',
    });
    const wrong = await check(db.env, ['revision', '--expect', 'head', ...A]);
    expect(wrong).toMatchObject({ code: 1, err: 'revision: expected head, alembic current says base' });
    await alembic(db.env, 'upgrade', 'head');
    const head = await check(db.env, ['revision', '--expect', 'head', '--record', join(db.dir, 'rev'), ...A]);
    expect(head.code, head.err).toBe(0);
    expect(head.out).toContain('at 6fc3f28b87c8 (head), as expected');
    expect((await check(db.env, ['revision', '--expect', '6fc3f28b87c8', ...A])).code).toBe(0);
    // The step's cwd is the alembic dir when --alembic-dir is not given.
    expect((await check(db.env, ['revision', '--expect', 'head'], ALEMBIC_DIR)).code).toBe(0);
  });

  it('preview says what downgrade -1 would drop, tables first with the rows each holds now', async () => {
    await db.client.query(INSERT_TOKEN, ['preview_a']);
    await db.client.query(INSERT_TOKEN, ['preview_b']);
    const run = await check({ ...db.env, ROLLBACK_BOT_RESULT_LINE: '1' }, ['preview', '--to', '-1', ...A]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(
      'drops tables: user_auth_sessions (0 rows), user_cache (0 rows) and tokens (2 rows)',
    );
    expect(run.out).toMatch(
      /preview: 6fc3f28b87c8 → base: drops tables user_auth_sessions \(0 rows\), user_cache \(0 rows\) and tokens \(2 rows\); indexes idx_\w+, /,
    );
    const result = parseResultLine(run.out);
    expect(result?.text['zh-CN']).toMatch(
      /^6fc3f28b87c8 → base：删除 3 张表：user_auth_sessions（0 行）、user_cache（0 行）、tokens（2 行）；删除索引：idx_\w+、/,
    );
    await db.client.query('DELETE FROM tokens');
  });

  it('counts rows exactly for small tables and says "not present" for a table that is not there', async () => {
    const counts = await countRows(db.client, ['tokens', 'nope']);
    expect(counts).toEqual([
      { table: 'tokens', rows: 0 },
      { table: 'nope', rows: null },
    ]);
    expect(describeCounts(counts)).toEqual({
      'zh-CN': 'tokens（0 行）、nope（不存在）',
      'en-US': 'tokens (0 rows) and nope (not present)',
    });
    expect(describeCounts([{ table: 'big', rows: 1234567, approx: true }])['en-US']).toBe(
      'big (about 1,234,567 rows)',
    );
  });

  it('table --exists/--absent, and the listing with alembic_version', async () => {
    const names = ['--name', 'tokens', '--name', 'user_cache'];
    expect(await check(db.env, ['table', ...names, '--exists'])).toMatchObject({
      code: 0,
      out: 'table: tokens and user_cache exist',
    });
    expect(await check(db.env, ['table', ...names, '--absent'])).toMatchObject({
      code: 1,
      err: 'table: still present: tokens and user_cache',
    });
    expect(await check(db.env, ['table', '--name', 'nope', '--exists'])).toMatchObject({
      code: 1,
      err: 'table: missing: nope',
    });
    const list = await check(db.env, ['table']);
    // Said once, on one line (it was "alembic_version = … · table: 4 table(s); alembic_version = …").
    expect(list.out).toBe(
      'table: 4 table(s): alembic_version, tokens, user_auth_sessions and user_cache; alembic_version = 6fc3f28b87c8',
    );
    const zh = await check({ ...db.env, ROLLBACK_BOT_RESULT_LINE: '1' }, ['table']);
    expect(parseResultLine(zh.out)?.text['zh-CN']).toBe(
      '4 张表：alembic_version、tokens、user_auth_sessions 和 user_cache；alembic_version = 6fc3f28b87c8',
    );
  });

  it('drill-row and rows count with bound values, never pasted SQL', async () => {
    expect((await check(db.env, ['drill-row', '--expect-absent'])).code).toBe(0);
    expect((await check(db.env, ['drill-row', '--insert'])).code).toBe(0);
    expect((await check(db.env, ['drill-row', '--expect-present'])).code).toBe(0);
    expect((await check(db.env, ['drill-row', '--expect-absent'])).code).toBe(1);
    const where = ['--table', 'tokens', '--where', 'app_id=test_app'];
    expect(await check(db.env, ['rows', ...where, '--equals', '1'])).toMatchObject({
      code: 0,
      out: 'rows: tokens where app_id=test_app: 1 row(s)',
    });
    expect((await check(db.env, ['rows', ...where, '--min', '2'])).code).toBe(1);
    expect((await check(db.env, ['rows', '--table', 'tokens', '--max', '0'])).code).toBe(1);
    // A value that would be an injection if pasted is only a value.
    const sneaky = await check(db.env, [
      'rows',
      '--table',
      'tokens',
      '--where',
      "app_id=x' OR '1'='1",
      '--equals',
      '0',
    ]);
    expect(sneaky.code, sneaky.err).toBe(0);
    expect((await check(db.env, ['rows', '--table', 'tokens; DROP TABLE tokens'])).code).toBe(2);
    expect((await check(db.env, ['rows', '--table', 'tokens', '--where', 'a b=1'])).code).toBe(2);
    expect(await check(db.env, ['rows', '--table', 'missing_table'])).toMatchObject({
      code: 1,
      err: 'rows: table missing_table does not exist',
    });
  });

  it('schema matches at head; after downgrade -1 revision -1 (since the record), tables absent, schema matches', async () => {
    expect((await check(db.env, ['schema', ...A])).out).toBe(
      'schema: matches revision 6fc3f28b87c8: 3 table(s) and 6 index(es) present',
    );
    await alembic(db.env, 'downgrade', '-1');
    const since = ['--since', join(db.dir, 'rev')];
    expect((await check(db.env, ['revision', '--expect', '-1', ...since, ...A])).out).toBe(
      'revision: at base, as expected (-1 from 6fc3f28b87c8 is base)',
    );
    expect((await check(db.env, ['revision', '--expect', '-1', ...A])).code).toBe(2);
    expect((await check(db.env, ['table', '--name', 'tokens', '--absent'])).code).toBe(0);
    expect((await check(db.env, ['table', '--name', 'tokens', '--exists'])).code).toBe(1);
    expect((await check(db.env, ['drill-row', '--expect-absent'])).out).toContain(
      'table tokens does not exist',
    );
    expect((await check(db.env, ['schema', ...A])).out).toBe(
      'schema: matches revision base: 0 table(s) and 0 index(es) present; 3 table(s) and 6 index(es) of later revisions absent',
    );
    expect((await check(db.env, ['preview', '--to', '-1', ...A])).err).toContain(
      'at base: there is nothing to downgrade',
    );
  });

  it('schema fails when the tables disagree with alembic_version', async () => {
    await db.client.query('CREATE TABLE tokens (id int)');
    const run = await check(db.env, ['schema', ...A]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('left over from later revisions: tokens');
    await db.client.query('DROP TABLE tokens');
  });
});

describe('stamp-guard (seed 故障排查 问题1)', () => {
  it('refuses at base, refuses when the tables exist, refuses a partial state, passes when they are gone', async () => {
    const atBase = await check(db.env, ['stamp-guard', ...A]);
    expect(atBase.code).toBe(1);
    expect(atBase.err).toContain('already at base');

    await alembic(db.env, 'upgrade', 'head');
    const consistent = await check(db.env, ['stamp-guard', ...A]);
    expect(consistent.code).toBe(1);
    expect(consistent.err).toContain('its tables exist');

    await db.client.query('DROP TABLE user_auth_sessions');
    const partial = await check(db.env, ['stamp-guard', ...A]);
    expect(partial.code).toBe(1);
    expect(partial.err).toContain('missing: user_auth_sessions');

    await db.client.query('DROP TABLE tokens; DROP TABLE user_cache');
    const broken = await check(db.env, ['stamp-guard', ...A]);
    expect(broken.code, broken.err).toBe(0);
    expect(broken.out).toContain('alembic stamp base is right');
    // The seed's fix, then back to a consistent head.
    await alembic(db.env, 'stamp', 'base');
    await alembic(db.env, 'upgrade', 'head');
    expect((await check(db.env, ['schema', ...A])).code).toBe(0);
    expect((await check(db.env, ['stamp-guard', '--table', 'tokens', ...A])).code).toBe(1);
  });
});

describe('usage', () => {
  it('exits 2 on bad usage, names the kind, never prints DATABASE_URL', async () => {
    expect((await check(db.env, [])).code).toBe(2);
    expect((await check(db.env, ['nope'])).err).toContain('unknown kind "nope"');
    expect((await check(db.env, ['table', '--exists'])).code).toBe(2);
    expect((await check(db.env, ['revision', '--bogus'])).err).toContain('unknown option --bogus');
    expect((await check(db.env, ['revision', '--expect', 'x y'])).code).toBe(2);
    expect((await check({ PATH: process.env.PATH }, ['table'])).err).toContain('DATABASE_URL is not set');
    expect((await check(db.env, ['table', '--only-if', 'no'])).out).toBe('table: skipped (--only-if no)');
    expect((await check(db.env, ['table', '--unless', 'maybe'])).code).toBe(2);
    // A database that does not exist: the reason is shown, the URL (with its password) is not.
    const bad = { ...db.env, DATABASE_URL: db.url.replace(db.name, `${db.name}_gone`) };
    const run = await check(bad, ['table']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('cannot connect to the database');
  });
});
