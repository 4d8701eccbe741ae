import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildContext, type Context } from '../../src/cli/context.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { type RunningWorker, startWorker, type WorkerOptions } from '../../src/worker/runtime.js';
import { createTestDatabase, type TestDatabase, uniquePrefix } from './db.js';

export { postText, textOf } from './messages.js';

export const CHAT = 'oc_incident';
export const OTHER_CHAT = 'oc_elsewhere';
export const ONCALL = 'ou_oncall';
export const LEAD_A = 'ou_lead_a';
export const LEAD_B = 'ou_lead_b';
export const STRANGER = 'ou_stranger';
export const SECRET = 'sup3r-s3cret-app-token-value';
export const APP_SECRET = 'e2e-app-secret-value';

export interface Harness {
  sandbox: Sandbox;
  server: RunningServer;
  worker: RunningWorker;
  db: TestDatabase;
  ctx: Context;
  markerDir: string;
  /** Every log line the bot wrote. */
  logs: string[];
  /** The environment the bot was built from (e.g. to build a second process's context from it). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  runbooksDir?: string;
  encryptKey?: string;
  env?: Record<string, string>;
  worker?: WorkerOptions;
  /** How Lark reaches the bot: the webhook routes (default) or the long connection. */
  eventMode?: 'webhook' | 'websocket';
  /** Called with the sandbox before it listens, e.g. to add the web chat's routes to `sandbox.server`. */
  beforeListen?: (sandbox: Sandbox) => void;
}

/** The whole product on real parts: a fresh database, a queue prefix, the sandbox, the server and a worker. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const encryptKey = options.encryptKey ?? '';
  const sandbox = createSandbox({
    appSecret: APP_SECRET,
    verificationToken: 'e2e-verification-token',
    ...(encryptKey ? { encryptKey } : {}),
    longConnection: { clientConfig: { ReconnectInterval: 0.2 } },
    deadlines: { repushMs: [300, 1000, 3000] },
  });
  options.beforeListen?.(sandbox);
  const { url: larkUrl } = await sandbox.listen();
  sandbox.addChat({
    chatId: CHAT,
    name: 'Incident',
    members: [
      { openId: ONCALL, name: 'On-call' },
      { openId: LEAD_A, name: 'Lead A' },
      { openId: LEAD_B, name: 'Lead B' },
      { openId: STRANGER, name: 'Stranger' },
    ],
  });
  sandbox.addChat({ chatId: OTHER_CHAT, name: 'Elsewhere', members: [{ openId: ONCALL, name: 'On-call' }] });
  const markerDir = mkdtempSync(join(tmpdir(), 'rb-e2e-'));
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LARK_APP_ID: sandbox.config.appId,
    LARK_APP_SECRET: APP_SECRET,
    LARK_VERIFICATION_TOKEN: 'e2e-verification-token',
    LARK_ENCRYPT_KEY: encryptKey,
    LARK_DOMAIN: larkUrl,
    INCIDENT_CHAT_IDS: CHAT,
    TECH_LEAD_OPEN_IDS: `${LEAD_A},${LEAD_B}`,
    DATABASE_URL: db.url,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: uniquePrefix('rbq'),
    RUNBOOKS_DIR: options.runbooksDir ?? 'tests/fixtures/e2e-runbooks',
    TIMEZONE: 'Asia/Shanghai',
    LOCALE: 'en-US',
    LOG_LEVEL: 'info',
    E2E_APP_TOKEN: SECRET,
    E2E_MARKER_DIR: markerDir,
    LARK_EVENT_MODE: options.eventMode ?? 'webhook',
    ...options.env,
  };
  const ctx = buildContext({ env, logDestination });
  const server = await startServer(ctx, { port: 0, host: '127.0.0.1' });
  if (options.eventMode === 'websocket') {
    await eventually(
      async () => sandbox.longConnectionStatus().connections > 0,
      10_000,
      'the long connection',
    );
  } else {
    sandbox.setBotUrls({ eventUrl: `${server.url}/lark/events`, cardUrl: `${server.url}/lark/card` });
  }
  const worker = await startWorker(ctx, { sweepMs: 1000, pollMs: 200, ...options.worker });
  return {
    sandbox,
    server,
    worker,
    db,
    ctx,
    markerDir,
    logs,
    env,
    async close() {
      await server.close();
      await worker.close(5000);
      await ctx.pool.end();
      await sandbox.close();
      await db.drop();
    },
  };
}

/** Poll an async condition (e.g. a database state) until it returns a value; fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  label = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Wait until a run reaches `state`. */
export function runState(h: Harness, runId: string, state: string, timeoutMs = 20_000): Promise<true> {
  return eventually(
    async () => {
      const r = await h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [runId]);
      return r.rows[0]?.state === state ? true : undefined;
    },
    timeoutMs,
    `run ${runId} to be ${state}`,
  );
}

/** A person says `text` in `chatId`; resolves with the bot's reply to that message. */
export async function replyTo(h: Harness, chatId: string, senderOpenId: string, text: string) {
  const said = await h.sandbox.userSays({ chatId, senderOpenId, text });
  return h.sandbox.waitFor(
    () => h.sandbox.botMessages(chatId).find((m) => m.parentId === said.messageId),
    10_000,
  );
}

/** The Approve button's value on a card as it is now; undefined when the card offers no Approve. */
export function approveValueOf(card: {
  content: unknown;
}): { action: string; run: string; plan: string } | undefined {
  const match = /"value":(\{"action":"approve"[^}]*\})/.exec(JSON.stringify(card.content));
  return match?.[1] ? JSON.parse(match[1]) : undefined;
}
