import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchHarness, type Build, startBenchHarness } from './harness.js';
import { createDatabase, dbUrl, dropDatabase, freePort, tempDir, uniqueName } from './scratch.js';

const run = promisify(execFile);

/** The bot with the shipped runbooks on the shipped `lark-service` target, pointed at a scratch database. */
export interface LarkServiceBot {
  build: Build;
  h: BenchHarness;
  dbName: string;
  backupDir: string;
}

export async function startLarkServiceBot(build: Build, name: string): Promise<LarkServiceBot> {
  const dir = tempDir(`${name}-${build}`);
  const dbName = uniqueName(`${name}_${build}`);
  const backupDir = join(dir, 'backups');
  const h = await startBenchHarness({
    build,
    runbooksDir: 'runbooks',
    env: {
      LARK_SERVICE_DATABASE_URL: dbUrl(dbName),
      LARK_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
      LARK_SERVICE_STATE_DIR: join(dir, 'state'),
      LARK_SERVICE_BACKUP_DIR: backupDir,
    },
  });
  return { build, h, dbName, backupDir };
}

/** A fresh lark_service database migrated to head and an empty backup folder (untimed). */
export async function freshAtHead(bot: LarkServiceBot): Promise<void> {
  await dropDatabase(bot.dbName);
  await createDatabase(bot.dbName);
  await run('alembic', ['upgrade', 'head'], {
    cwd: 'examples/lark-service',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: dbUrl(bot.dbName),
    },
  });
  rmSync(bot.backupDir, { recursive: true, force: true });
  mkdirSync(bot.backupDir, { recursive: true });
}

export async function closeLarkServiceBot(bot: LarkServiceBot): Promise<void> {
  await bot.h.close();
  await dropDatabase(bot.dbName);
}
