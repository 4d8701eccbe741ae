import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../../src/runs/run-repo.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { cli } from './helpers.js';

const RUN = 'rexport01';
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('rbt_cli');
  dir = mkdtempSync(join(tmpdir(), 'rbt-cli-'));
  await insertRun(db.pool, {
    id: RUN,
    runbookId: 'emergency',
    runbookHash: 'h',
    targetId: 'lark-service',
    params: {},
    planHash: 'p',
    meta: { title: { 'zh-CN': '紧急回滚', 'en-US': 'Emergency rollback' } },
    chatId: 'oc_cli',
    requesterOpenId: 'ou_oncall',
    sourceMessageId: 'om_cli',
    state: 'awaiting_approval',
    quorum: 1,
    fourEyes: true,
    expiresAt: new Date(Date.now() + 600_000),
    steps: [
      {
        stepId: 'stop',
        title: { 'zh-CN': '停止应用', 'en-US': 'Stop the app' },
        argv: ['true'],
        idempotent: true,
      },
    ],
  });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('rollback-bot export', () => {
  it('needs only DATABASE_URL, not the Lark settings', async () => {
    const result = await cli(['export', RUN, '--format', 'json'], { DATABASE_URL: db.url }, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain(RUN);
  });

  it('reads .env from the working directory; the environment wins over it', async () => {
    const envDir = mkdtempSync(join(dir, 'env-'));
    writeFileSync(join(envDir, '.env'), `# a comment\nDATABASE_URL=${db.url}\nLOG_LEVEL=debug\n`);
    const fromFile = await cli(['export', RUN, '--format', 'csv'], {}, envDir);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`${RUN},`);
    expect(fromFile.stdout).toContain('requested');

    const overridden = await cli(['export', RUN], { DATABASE_URL: 'mysql://nope' }, envDir);
    expect(overridden.code).toBe(2);
    expect(overridden.stderr).toContain('DATABASE_URL must be a postgres:// URL');
  });

  it('reads the file ENV_FILE names, and says so when it is missing', async () => {
    const file = join(dir, 'custom.env');
    writeFileSync(file, `DATABASE_URL=${db.url}\n`);
    const found = await cli(['export', RUN, '--format', 'csv'], { ENV_FILE: file }, dir);
    expect(found.stderr).toBe('');
    expect(found.stdout).toContain(`${RUN},`);
    const missing = await cli(['export', RUN], { ENV_FILE: join(dir, 'nope.env') }, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`ENV_FILE ${join(dir, 'nope.env')} does not exist`);
  });

  it('names a missing DATABASE_URL and nothing else', async () => {
    const result = await cli(['export', RUN], {}, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL is required');
    expect(result.stderr).not.toContain('LARK_APP_ID');
  });

  it.each([
    [[], 'which run?'],
    [['--format', 'json'], 'which run?'],
    [[RUN, '--format', 'xml'], 'unknown format "xml": use md, json or csv'],
    [[RUN, '--format'], '--format needs a value'],
    [['not-a-run'], '"not-a-run" is not a run id'],
    [[RUN, RUN], 'one run at a time'],
  ])('export %j says what is wrong', async (args, message) => {
    const result = await cli(['export', ...args], { DATABASE_URL: db.url }, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: rollback-bot export <run> [--format md|json|csv]');
    expect(result.stderr).not.toContain('migrate');
  });

  it('reports an unknown run plainly', async () => {
    const result = await cli(['export', 'rmissing1'], { DATABASE_URL: db.url }, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No run rmissing1');
  });
});
