import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Context } from '../../src/cli/context.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { StoredMessage } from '../../src/sandbox/types.js';
import type { RunningServer } from '../../src/server/server.js';
import type { RunningWorker } from '../../src/worker/runtime.js';
import { botEnv } from './config.js';
import { APP, CHATS, LEAD_A, LEAD_B, ONCALL, STRANGER } from './lark-bodies.js';
import { botDatabase, redisKeys, uniqueName } from './scratch.js';
import { sleep } from './stats.js';

type ContextModule = typeof import('../../src/cli/context.js');
type ServerModule = typeof import('../../src/server/server.js');
type WorkerModule = typeof import('../../src/worker/runtime.js');
type SandboxModule = typeof import('../../src/sandbox/index.js');

/** Where the bot's code is loaded from: the TypeScript sources (through tsx) or the build in dist/. */
export type Build = 'src' | 'dist';

async function load<T>(build: Build, path: string): Promise<T> {
  if (build === 'src') {
    // Static specifiers per module, so tsx maps .js → .ts exactly as for the rest of the bench.
    switch (path) {
      case 'cli/context':
        return (await import('../../src/cli/context.js')) as T;
      case 'server/server':
        return (await import('../../src/server/server.js')) as T;
      case 'worker/runtime':
        return (await import('../../src/worker/runtime.js')) as T;
      case 'sandbox/index':
        return (await import('../../src/sandbox/index.js')) as T;
    }
    throw new Error(`no module ${path}`);
  }
  const file = resolve('dist', 'src', `${path}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return (await import(pathToFileURL(file).href)) as T;
}

export interface BenchHarness {
  build: Build;
  sandbox: Sandbox;
  ctx: Context;
  server: RunningServer;
  worker: RunningWorker;
  /** The last log lines of the bot (server and worker), for when something goes wrong. */
  logTail(): string;
  cardsIn(chatId: string): StoredMessage[];
  /** Poll Postgres until the run is in `state`. */
  waitForState(runId: string, state: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole product in this process on real parts, like tests/helpers/harness.ts: a scratch database, a queue
 * prefix, the Lark sandbox (signed + encrypted deliveries), the bot's server and one worker with production
 * defaults (sweep, poll and concurrency from the config schema).
 */
export async function startBenchHarness(options: {
  build?: Build;
  runbooksDir?: string;
  targetsFile?: string;
  markerDir?: string;
  env?: Record<string, string>;
  /** The worker's runner pools. @defaultValue WORKER_POOLS ('default') */
  pools?: string[];
  /** How the sandbox reaches the bot. @defaultValue 'webhook' */
  eventMode?: 'webhook' | 'websocket';
}): Promise<BenchHarness> {
  const build = options.build ?? 'src';
  const [{ buildContext }, { startServer }, { startWorker }, { createSandbox }] = await Promise.all([
    load<ContextModule>(build, 'cli/context'),
    load<ServerModule>(build, 'server/server'),
    load<WorkerModule>(build, 'worker/runtime'),
    load<SandboxModule>(build, 'sandbox/index'),
  ]);
  const db = await botDatabase();
  const prefix = uniqueName('rbbench');
  const sandbox = createSandbox({ ...APP });
  const { url: larkUrl } = await sandbox.listen();
  for (const chatId of CHATS) {
    sandbox.addChat({
      chatId,
      name: chatId,
      members: [
        { openId: ONCALL, name: 'On-call' },
        { openId: LEAD_A, name: 'Lead A' },
        { openId: LEAD_B, name: 'Lead B' },
        { openId: STRANGER, name: 'Stranger' },
      ],
    });
  }
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (logs.length > 400) logs.splice(0, logs.length - 200);
      done();
    },
  });
  const env = botEnv({
    databaseUrl: db.url,
    queuePrefix: prefix,
    larkDomain: larkUrl,
    ...(options.runbooksDir ? { runbooksDir: options.runbooksDir } : {}),
    ...(options.targetsFile ? { targetsFile: options.targetsFile } : {}),
    ...(options.markerDir ? { markerDir: options.markerDir } : {}),
    extra: { LARK_EVENT_MODE: options.eventMode ?? 'webhook', ...options.env },
  });
  const ctx = buildContext({ env, logDestination, baseDir: process.cwd() });
  const server = await startServer(ctx, { port: 0, host: '127.0.0.1' });
  if (options.eventMode === 'websocket') {
    const deadline = Date.now() + 10_000;
    while (sandbox.longConnectionStatus().connections === 0) {
      if (Date.now() > deadline)
        throw new Error(`the bot did not connect by the long connection\n${logs.join('\n')}`);
      await sleep(20);
    }
  } else {
    sandbox.setBotUrls({ eventUrl: `${server.url}/lark/events`, cardUrl: `${server.url}/lark/card` });
  }
  const worker = await startWorker(ctx, options.pools ? { pools: options.pools } : {});
  return {
    build,
    sandbox,
    ctx,
    server,
    worker,
    logTail: () => logs.slice(-40).join('\n'),
    cardsIn: (chatId) => sandbox.botMessages(chatId).filter((m) => m.msgType === 'interactive'),
    async waitForState(runId, state, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await ctx.pool.query('SELECT state FROM runs WHERE id = $1', [runId]);
        if (r.rows[0]?.state === state) return;
        if (Date.now() > deadline)
          throw new Error(
            `run ${runId} is ${r.rows[0]?.state}, not ${state}, after ${timeoutMs} ms\n${logs.slice(-30).join('\n')}`,
          );
        await sleep(5);
      }
    },
    async close() {
      await server.close();
      await worker.close(5000);
      await ctx.pool.end();
      await sandbox.close();
      await redisKeys(prefix, true);
      await db.drop();
    },
  };
}

/** The approve button's value on a card (its current content), if it has one. */
export function approveValue(
  card: StoredMessage | undefined,
): { action: string; run: string; plan: string } | undefined {
  if (!card) return undefined;
  const match = /"value":(\{"action":"approve"[^}]*\})/.exec(JSON.stringify(card.content));
  return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
}

/**
 * Say `text` in `chatId` as the on-call and wait for the bot's new card there to carry an Approve button.
 * Times (performance.now()): sent (before the sandbox builds the event), acked (HTTP 200 back), card (the
 * card stored in the sandbox), approvable (the Approve button on it; later than card when a preflight runs).
 */
export async function requestRun(
  h: BenchHarness,
  chatId: string,
  text: string,
  timeoutMs = 20_000,
): Promise<{
  card: StoredMessage;
  value: { action: string; run: string; plan: string };
  sent: number;
  acked: number;
  cardAt: number;
  approvableAt: number;
}> {
  const before = h.cardsIn(chatId).length;
  let cardAt = 0;
  const sent = performance.now();
  const said = await h.sandbox.userSays({ chatId, senderOpenId: ONCALL, text });
  const acked = performance.now();
  if (said.status !== 200) throw new Error(`the bot answered ${said.status} to "${text}": ${said.body}`);
  const card = await h.sandbox.waitFor(() => {
    const found = h.cardsIn(chatId)[before];
    if (found && !cardAt) cardAt = performance.now();
    return found;
  }, timeoutMs);
  let approvableAt = 0;
  const value = await h.sandbox.waitFor(() => {
    const v = approveValue(h.sandbox.message(card.messageId));
    if (v && !approvableAt) approvableAt = performance.now();
    return v;
  }, timeoutMs);
  return { card, value, sent, acked, cardAt, approvableAt };
}

export const markerFile = (dir: string, runId: string) => join(dir, runId);
