import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alembicCurrent,
  parseCurrent,
  scriptDirRuns,
  scriptHistory,
  walkDown,
} from '../../src/checks/alembic.js';
import { createCtx } from '../../src/checks/context.js';
import { check, createScratch, type Scratch } from './helpers.js';

/**
 * Issue 13 item 2: the current revision comes from alembic_version and the script directory's answers are kept.
 * A migration tree with a branch and a merge (aaaa → bbbb, bbbb → cccc and dddd, both merged by eeee → ffff),
 * and every answer compared with what Debian's real alembic says about the same tree and database.
 */

// alembic's INFO lines ("Running downgrade A -> B") say where an offline script lands.
const LOGGING = `
[loggers]
keys = root,alembic
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[logger_alembic]
level = INFO
handlers =
qualname = alembic
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
`;

const ENV_PY = `import os
from logging.config import fileConfig
from alembic import context
from sqlalchemy import create_engine, pool

fileConfig(context.config.config_file_name)

url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
`;

let db: Scratch;
let dir: string;

function revision(id: string, down: string | string[] | null): void {
  const downText =
    down === null ? 'None' : Array.isArray(down) ? `(${down.map((d) => `'${d}'`).join(', ')})` : `'${down}'`;
  writeFileSync(
    join(dir, 'mig', 'versions', `${id}.py`),
    `revision = '${id}'\ndown_revision = ${downText}\nbranch_labels = None\ndepends_on = None\n` +
      `from alembic import op\n\ndef upgrade():\n    op.execute("CREATE TABLE t_${id} (id int)")\n\n` +
      `def downgrade():\n    op.execute("DROP TABLE t_${id}")\n`,
  );
}

async function alembic(...args: string[]) {
  return execa('alembic', args, { cwd: dir, env: db.env, extendEnv: false, reject: false });
}

const ctx = () => createCtx(db.env, { cwd: dir, out: () => {}, err: () => {} });
const ids = (current: { revisions: Array<{ id: string; head: boolean }> }) =>
  current.revisions.map((r) => `${r.id}${r.head ? ' (head)' : ''}`).sort();

/** What `alembic current` says, in the same form. */
async function alembicSaysCurrent(): Promise<string[]> {
  const result = await alembic('current');
  expect(result.exitCode, result.stderr).toBe(0);
  return ids(parseCurrent(result.stdout));
}

beforeAll(async () => {
  db = await createScratch('tree');
  dir = join(db.dir, 'project');
  mkdirSync(join(dir, 'mig', 'versions'), { recursive: true });
  writeFileSync(join(dir, 'alembic.ini'), `[alembic]\nscript_location = %(here)s/mig\n${LOGGING}`);
  writeFileSync(join(dir, 'mig', 'env.py'), ENV_PY);
  revision('aaaa0001', null);
  revision('bbbb0002', 'aaaa0001');
  revision('cccc0003', 'bbbb0002');
  revision('dddd0004', 'bbbb0002');
  revision('eeee0005', ['cccc0003', 'dddd0004']);
  revision('ffff0006', 'eeee0005');
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

describe('the script directory and alembic_version, against alembic on a tree with a branch and a merge', () => {
  it('heads and every down revision are what alembic heads / alembic show say', async () => {
    const script = await scriptHistory(ctx());
    const heads = (await alembic('heads')).stdout;
    expect([...script.heads].sort()).toEqual([...heads.matchAll(/^(\w+)/gm)].map((m) => m[1]).sort());
    for (const id of ['aaaa0001', 'bbbb0002', 'cccc0003', 'dddd0004', 'eeee0005', 'ffff0006']) {
      const shown = (await alembic('show', id)).stdout;
      const parents = /^(?:Parent|Merges): (.*)$/m.exec(shown)?.[1] ?? '';
      const expected = parents === '<base>' ? [] : parents.split(',').map((s) => s.trim());
      expect([...(script.history.get(id) ?? ['missing'])].sort(), id).toEqual(expected.sort());
    }
  });

  it('the current revision(s) match alembic current at base, on a branch, on two heads, at the merge, at head', async () => {
    expect(ids(await alembicCurrent(ctx()))).toEqual(await alembicSaysCurrent()); // no alembic_version yet
    expect(await alembicSaysCurrent()).toEqual([]);
    const states: string[][] = [];
    for (const target of ['cccc0003', 'dddd0004', 'eeee0005', 'heads']) {
      const up = await alembic('upgrade', target);
      expect(up.exitCode, up.stderr).toBe(0);
      const said = await alembicSaysCurrent();
      states.push(said);
      expect(ids(await alembicCurrent(ctx())), `after upgrade ${target}`).toEqual(said);
    }
    // The tree really took those shapes: one branch, both branches (two rows), the merge, the head.
    expect(states).toEqual([['cccc0003'], ['cccc0003', 'dddd0004'], ['eeee0005'], ['ffff0006 (head)']]);
  });

  it('-1 is where alembic downgrade -1 lands, and ambiguous at a merge as alembic says', async () => {
    const { history } = await scriptHistory(ctx());
    expect(await alembicSaysCurrent()).toEqual(['ffff0006 (head)']);
    const below = walkDown(history, 'ffff0006', 1);
    expect((await alembic('downgrade', '-1')).exitCode).toBe(0);
    expect(await alembicSaysCurrent()).toEqual([below]);
    expect(below).toBe('eeee0005');
    // At the merge point alembic refuses -1 ("Ambiguous walk"), and so does the check.
    expect(() => walkDown(history, 'eeee0005', 1)).toThrow(/merge point/);
    const ambiguous = await alembic('downgrade', '-1');
    expect(ambiguous.exitCode).not.toBe(0);
    expect(`${ambiguous.stdout}${ambiguous.stderr}`).toMatch(/Ambiguous walk/);
    // On a branch below the merge, -1 and -2 walk that branch down to the branch point and past it.
    // Below the merge both branches are current again (two rows), alike for alembic and the check.
    expect((await alembic('downgrade', 'cccc0003')).exitCode).toBe(0);
    expect(await alembicSaysCurrent()).toEqual(['cccc0003', 'dddd0004']);
    expect(ids(await alembicCurrent(ctx()))).toEqual(['cccc0003', 'dddd0004']);
    expect((await alembic('downgrade', 'bbbb0002')).exitCode).toBe(0);
    expect((await alembic('upgrade', 'cccc0003')).exitCode).toBe(0);
    expect(await alembicSaysCurrent()).toEqual(['cccc0003']);
    expect([walkDown(history, 'cccc0003', 1), walkDown(history, 'cccc0003', 2)]).toEqual([
      'bbbb0002',
      'aaaa0001',
    ]);
    expect((await alembic('downgrade', '-2')).exitCode).toBe(0);
    expect(await alembicSaysCurrent()).toEqual(['aaaa0001']);
    expect((await alembic('upgrade', 'heads')).exitCode).toBe(0);
  });

  it('alembic runs once for the directory; a new migration file is seen at once', async () => {
    const first = await check(db.env, ['revision', '--expect', 'head'], dir);
    expect(first).toMatchObject({ code: 0, out: 'revision: at ffff0006 (head), as expected' });
    const runs = scriptDirRuns();
    for (let i = 0; i < 3; i++) {
      expect(await check(db.env, ['revision', '--expect', 'head'], dir)).toMatchObject({ code: 0 });
      expect(await check(db.env, ['revision', '--expect', 'ffff0006'], dir)).toMatchObject({ code: 0 });
    }
    expect(scriptDirRuns()).toBe(runs);

    // A new release: ffff0006 is no longer the head, for alembic and for the check alike.
    revision('gggg0007', 'ffff0006');
    expect(await alembicSaysCurrent()).toEqual(['ffff0006']);
    expect(ids(await alembicCurrent(ctx()))).toEqual(['ffff0006']);
    expect(scriptDirRuns()).toBe(runs + 1);
    const stale = await check(db.env, ['revision', '--expect', 'head'], dir);
    expect(stale).toMatchObject({ code: 1, err: 'revision: expected head, alembic current says ffff0006' });
    expect((await scriptHistory(ctx())).heads).toEqual(new Set(['gggg0007']));
  });

  it('the offline preview is computed once per current revision and shown the same', async () => {
    const runs = scriptDirRuns();
    const first = await check(db.env, ['preview', '--to', '-1'], dir);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('ffff0006 → eeee0005');
    expect(first.out).toContain('t_ffff0006');
    expect(scriptDirRuns()).toBe(runs + 1);
    expect(await check(db.env, ['preview', '--to', '-1'], dir)).toEqual(first);
    expect(scriptDirRuns()).toBe(runs + 1);
  });

  it('a revision alembic_version names but no script defines fails, as alembic current does', async () => {
    await db.client.query("UPDATE alembic_version SET version_num = 'zzzz9999'");
    const said = await alembic('current');
    expect(said.exitCode).not.toBe(0);
    expect(`${said.stdout}${said.stderr}`).toMatch(/Can't locate revision identified by 'zzzz9999'/);
    const result = await check(db.env, ['revision'], dir);
    expect(result).toMatchObject({
      code: 1,
      err: 'revision: alembic_version holds zzzz9999, which no migration script defines',
    });
  });
});
