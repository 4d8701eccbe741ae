import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { createSandbox } from '../sandbox/index.js';
import { mountWebChat } from '../sandbox/web/index.js';
import { startServer } from '../server/server.js';
import { packageRoot } from '../util/paths.js';
import {
  backupExample,
  migrateExample,
  releaseBadMigration,
  startExampleApp,
  stopExampleApp,
} from '../worker/example-service.js';
import { startWorker } from '../worker/runtime.js';
import { buildContext } from './context.js';
import { DEMO_PERSONAS, demoEnv } from './demo-env.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function reachable(adminUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    problems.push(
      `PostgreSQL is not reachable at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}).\n` +
        '  Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  or: docker compose up -d postgres redis   (then set DEMO_PG_URL if it is elsewhere)',
    );
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis is not reachable at ${redisUrl} (${(error as Error).message}).\n` +
        '  Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""\n' +
        '  or: docker compose up -d redis   (then set DEMO_REDIS_URL if it is elsewhere)',
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `npm run demo`: the whole product on this machine: a demo database, the Lark sandbox with its web chat,
 * the bot's server and worker, and the example lark-service. Ctrl-C stops everything.
 */
export async function runDemo(_args: string[]): Promise<number | undefined> {
  const root = packageRoot();
  const adminUrl = process.env.DEMO_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.DEMO_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const problems = await reachable(adminUrl, redisUrl);
  if (problems.length > 0) {
    process.stderr.write(`The demo needs PostgreSQL and Redis.\n${problems.join('\n')}\n`);
    return 1;
  }
  const botDb = await ensureDatabase(adminUrl, 'rollback_bot_demo');
  const serviceDb = await ensureDatabase(adminUrl, 'lark_service_demo');
  const stateDir = join(root, '.demo');
  mkdirSync(join(stateDir, 'backups'), { recursive: true });

  const sandboxPort = Number(process.env.DEMO_SANDBOX_PORT ?? 4000);
  const botPort = Number(process.env.DEMO_BOT_PORT ?? 3000);
  const env = demoEnv({
    root,
    botDb,
    serviceDb,
    redisUrl,
    stateDir,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
  });

  const sandbox = createSandbox({
    appId: env.LARK_APP_ID,
    appSecret: env.LARK_APP_SECRET,
    verificationToken: env.LARK_VERIFICATION_TOKEN,
    encryptKey: env.LARK_ENCRYPT_KEY,
  });
  sandbox.addChat({ chatId: env.INCIDENT_CHAT_IDS, name: 'DB incident (demo)', members: DEMO_PERSONAS });
  mountWebChat(sandbox, {
    personas: DEMO_PERSONAS,
    defaultChatId: env.INCIDENT_CHAT_IDS,
    actions: [
      {
        id: 'bad-release',
        label: { en_us: 'Simulate a bad release', zh_cn: '模拟一次有问题的发布' },
        run: () => releaseBadMigration(serviceEnv),
      },
    ],
  });
  const { url: sandboxUrl } = await sandbox.listen(sandboxPort, '127.0.0.1');

  const ctx = buildContext({ env, baseDir: root });
  const pool = createPool(botDb, 1);
  await migrate(pool);
  await pool.end();
  const target = ctx.catalog.targets.get('lark-service');
  const service = { root, env: { ...target?.publicEnv, ...target?.env } };
  const serviceEnv = { ...service, env: { PATH: env.PATH, HOME: env.HOME, ...service.env } };
  await migrateExample(serviceEnv);
  await startExampleApp(serviceEnv);
  await backupExample(serviceEnv, env.LARK_SERVICE_BACKUP_DIR);

  const server = await startServer(ctx, { port: botPort, host: '127.0.0.1' });
  sandbox.setBotUrls({ eventUrl: `${server.url}/lark/events`, cardUrl: `${server.url}/lark/card` });
  const worker = await startWorker(ctx);

  say('');
  say(`  Rollback bot demo is up. Open the web chat:  ${sandboxUrl}/`);
  say('');
  say(
    '  1. Press "Simulate a bad release": it runs alembic upgrade head, and migration 9d4b2e7c1a35 renames',
  );
  say(
    `     a column the example app reads, so ${env.LARK_SERVICE_URL}/health/ready fails (the seed's scenario 3).`,
  );
  say('  2. As "Wang Wei (on-call)", type:  @RollbackBot /rollback emergency');
  say('     (one revision down, nothing restored, the app healthy again)');
  say('  3. Switch to "Li Na (Tech Lead)" and press Approve on the card.');
  say("  4. Open the card's thread to watch each step start and end.");
  say(`  Bot: ${server.url}  ·  example app: ${env.LARK_SERVICE_URL}  ·  Ctrl-C stops everything.`);
  say('');

  let stoppingSince = 0;
  const stop = async () => {
    // A terminal's Ctrl-C reaches both npm and us, and npm forwards it too: only a later, separate one forces exit.
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 1500) process.exit(1);
      return;
    }
    stoppingSince = Date.now();
    say('\nStopping the demo…');
    await server.close().catch(() => {});
    await worker.close(5000).catch(() => {});
    await ctx.pool.end().catch(() => {});
    await stopExampleApp(serviceEnv).catch(() => {});
    await sandbox.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}
