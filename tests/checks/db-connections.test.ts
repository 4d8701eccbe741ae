import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/checks/result.js';
import { check, createScratch, freePort, PASSWORD, type Scratch } from './helpers.js';

/**
 * The `db-connections` check (issue 14 item 4, the seed's "数据库连接正常") against the real Postgres: a healthy
 * scratch database passes; a session idle in a transaction, too many connections, the app's connections
 * missing, a role that cannot see other sessions, and an unreachable server each say why.
 */
let db: Scratch;
const extra: pg.Client[] = [];

async function connect(applicationName?: string, url = db.url): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    ...(applicationName ? { application_name: applicationName } : {}),
  });
  await client.connect();
  extra.push(client);
  return client;
}

beforeAll(async () => {
  db = await createScratch('dbconn');
});

afterAll(async () => {
  for (const client of extra) await client.end().catch(() => {});
  await db?.drop();
});

describe('db-connections', () => {
  it('passes on a healthy database, in both languages', async () => {
    const run = await check({ ...db.env, ROLLBACK_BOT_RESULT_LINE: '1' }, ['db-connections']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(
      /^db-connections: \d+\/\d+ connections in use \(limit \d+, \d+ free for ordinary roles\); [1-9]\d* to this database \([^)]*idle [1-9]\d*[^)]*\); none idle in a transaction for 1m00s$/m,
    );
    expect(parseResultLine(run.out)?.text['zh-CN']).toMatch(
      /^连接数 \d+\/\d+（上限 \d+，普通角色还可用 \d+ 个）；本库 \d+ 个（[^）]*空闲 [1-9]\d* 个[^）]*）；没有在事务中空闲超过 1分00秒 的会话$/,
    );
  });

  it('fails on a session idle in a transaction for longer than allowed, naming it', async () => {
    const stuck = await connect('stuck-worker');
    await stuck.query('BEGIN');
    await stuck.query('SELECT 1');
    const pid = (
      await db.client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', ['stuck-worker'])
    ).rows[0]?.pid;
    const run = await check(db.env, ['db-connections', '--idle-in-transaction', '0s']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'db-connections: 1 session(s) idle in a transaction for 0ms or more (they hold locks; end them or fix the app):',
    );
    expect(run.err).toMatch(
      new RegExp(`\\n  pid ${pid} \\(postgres "stuck-worker"\\): idle in transaction for `),
    );
    // Under the threshold it is not a problem yet; once the transaction ends it is gone.
    expect((await check(db.env, ['db-connections', '--idle-in-transaction', '1h'])).code).toBe(0);
    await stuck.query('ROLLBACK');
    expect((await check(db.env, ['db-connections', '--idle-in-transaction', '0s'])).code).toBe(0);
  });

  it('fails when more connections are in use than --max-used allows', async () => {
    await connect();
    // This test's own two clients and the check's make at least three on the server.
    const run = await check(db.env, ['db-connections', '--max-used', '2']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^db-connections: \d+ client connections of max_connections \d+ are in use, over the limit of 2 \(--max-used 2\)$/,
    );
  });

  it("checks the app's connections when the target names it (--app or APP_DB_APPLICATION_NAME)", async () => {
    const app = `lark-service-${randomBytes(3).toString('hex')}`;
    const missing = await check(db.env, ['db-connections', '--app', app]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      `db-connections: the app's connections are missing: 0 with application_name "${app}", expected at least 1`,
    );
    await connect(app);
    const present = await check({ ...db.env, APP_DB_APPLICATION_NAME: app }, ['db-connections']);
    expect(present.code, present.err).toBe(0);
    expect(present.out).toContain(`; 1 from "${app}"`);
    const two = await check(db.env, ['db-connections', '--app', app, '--app-min', '2']);
    expect(two.code).toBe(1);
    expect(two.err).toContain(`1 with application_name "${app}", expected at least 2`);
  });

  it('says so when it cannot see the sessions of other roles (no pg_monitor)', async () => {
    const role = `chk_mon_${randomBytes(4).toString('hex')}`;
    await db.client.query(`CREATE ROLE ${role} LOGIN`);
    try {
      const url = new URL(db.url);
      url.username = role;
      const run = await check({ ...db.env, DATABASE_URL: url.toString() }, ['db-connections']);
      expect(run.code, run.err).toBe(0);
      // This suite's own clients connect as postgres: at least those are hidden from the new role.
      expect(run.out).toMatch(/; [1-9]\d* session\(s\) of other roles not visible \(grant pg_monitor\)$/m);
    } finally {
      await db.client.query(`DROP ROLE ${role}`);
    }
  });

  it('fails with the reason on an unreachable database; bad usage exits 2; the password never shows', async () => {
    const port = await freePort();
    const down = await check(
      { ...db.env, DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/x` },
      ['db-connections'],
    );
    expect(down.code).toBe(1);
    expect(down.err).toMatch(
      /^db-connections: cannot connect to the database: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
    for (const argv of [
      ['db-connections', '--max-used', '150%'],
      ['db-connections', '--max-used', 'lots'],
      ['db-connections', '--idle-in-transaction', 'long'],
      ['db-connections', '--app-min', '2'],
    ]) {
      const run = await check(db.env, argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toContain('usage: check db-connections');
    }
    const { DATABASE_URL: _, ...noUrl } = db.env;
    expect((await check(noUrl, ['db-connections'])).err).toContain('DATABASE_URL is not set');
  });
});
