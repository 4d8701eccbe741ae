import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** scripts/prereqs.sh: every tool and service the demo needs, installed where it can be; false if one is missing. */
function prerequisitesMet(root: string, adminUrl: string, redisUrl: string): boolean {
  const result = spawnSync('bash', [join(root, 'scripts', 'prereqs.sh'), 'demo'], {
    stdio: 'inherit',
    env: { ...process.env, PREREQS_PG_URL: adminUrl, PREREQS_REDIS_URL: redisUrl },
  });
  return result.status === 0;
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

type Started = { what: string; stop: () => Promise<unknown> }[];

/** Start the demo's parts in order, recording each one's stop in `started` as soon as it exists. */
async function startAll(
  root: string,
  adminUrl: string,
  redisUrl: string,
  eventMode: 'websocket' | 'webhook',
  started: Started,
) {
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
    eventMode,
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
  started.push({ what: 'the sandbox', stop: () => sandbox.close() });
  const { url: sandboxUrl } = await sandbox.listen(sandboxPort, '127.0.0.1');

  const ctx = buildContext({ env, baseDir: root });
  started.push({ what: 'the database pool', stop: () => ctx.pool.end() });
  const pool = createPool(botDb, 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  const target = ctx.catalog.targets.get('lark-service');
  const service = { root, env: { ...target?.publicEnv, ...target?.env } };
  const serviceEnv = { ...service, env: { PATH: env.PATH, HOME: env.HOME, ...service.env } };
  await migrateExample(serviceEnv);
  started.push({ what: 'the example app', stop: () => stopExampleApp(serviceEnv) });
  await startExampleApp(serviceEnv);
  await backupExample(serviceEnv, env.LARK_SERVICE_BACKUP_DIR);

  const server = await startServer(ctx, { port: botPort, host: '127.0.0.1' });
  started.push({ what: 'the bot server', stop: () => server.close() });
  if (eventMode === 'webhook') {
    sandbox.setBotUrls({ eventUrl: `${server.url}/lark/events`, cardUrl: `${server.url}/lark/card` });
  }
  const worker = await startWorker(ctx);
  started.push({ what: 'the worker', stop: () => worker.close(5000) });
  return { env, server, sandboxUrl };
}

/**
 * `npm run demo`: the whole product on this machine: a demo database, the Lark sandbox with its web chat,
 * the bot's server and worker, and the example lark-service. Ctrl-C stops everything.
 */
export async function runDemo(args: string[]): Promise<number | undefined> {
  const root = packageRoot();
  const adminUrl = process.env.DEMO_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.DEMO_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // `npm run demo` checks first (so a too-old Node is named before Node runs this); `rollback-bot demo` here.
  if (!args.includes('--prereqs-checked') && !prerequisitesMet(root, adminUrl, redisUrl)) {
    process.stderr.write('rollback-bot demo: not started (see above).\n');
    return 1;
  }
  const eventMode = args.includes('--webhook') ? 'webhook' : 'websocket';
  // Whatever has started, newest first: a failure part-way stops all of it, so nothing is left listening.
  const started: Started = [];
  const stopAll = async () => {
    for (const { stop } of started.splice(0).reverse()) await stop().catch(() => {});
  };
  let stoppingSince = 0;
  const stop = async () => {
    // A terminal's Ctrl-C reaches both npm and us, and npm forwards it too: only a later, separate one forces exit.
    if (stoppingSince) {
      if (Date.now() - stoppingSince > 1500) process.exit(1);
      return;
    }
    stoppingSince = Date.now();
    say('\nStopping the demo…');
    await stopAll();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let up: Awaited<ReturnType<typeof startAll>>;
  try {
    up = await startAll(root, adminUrl, redisUrl, eventMode, started);
  } catch (error) {
    const what = started.length ? ` (after: ${started.map((s) => s.what).join(', ')})` : '';
    process.stderr.write(`rollback-bot demo: start-up failed${what}: ${(error as Error).message}\n`);
    await stopAll();
    process.stderr.write('rollback-bot demo: stopped everything it had started.\n');
    // Nothing should be left holding the event loop; if a library still is, do not hang.
    setTimeout(() => process.exit(1), 3000).unref();
    return 1;
  }
  const { env, server, sandboxUrl } = up;
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
  say(
    eventMode === 'websocket'
      ? '  The bot receives events by the long connection (LARK_EVENT_MODE=websocket); `npm run demo -- --webhook` for webhooks.'
      : '  The bot receives events by webhook (LARK_EVENT_MODE=webhook): the sandbox posts to /lark/events and /lark/card.',
  );
  say(`  Bot: ${server.url}  ·  example app: ${env.LARK_SERVICE_URL}  ·  Ctrl-C stops everything.`);
  say('');
  return undefined;
}
