import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '../../../src/db/migrate.js';
import { createPool, type Pool } from '../../../src/db/pool.js';
import { createSandbox, type Sandbox, type StoredMessage } from '../../../src/sandbox/index.js';
import { postText, threadEntries } from '../../helpers/messages.js';
import { type BotProcess, eventually, killGroup, spawnBot } from './procs.js';

export const CHAT = 'oc_incident';
export const CHAT_B = 'oc_incident_b';
export const ONCALL = 'ou_oncall';
export const LEAD_A = 'ou_lead_a';
export const LEAD_B = 'ou_lead_b';
const APP_SECRET = 'faults-app-secret-value';
const VERIFICATION_TOKEN = 'faults-verification-token';
const SHARED_PG = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SHARED_REDIS = 'redis://127.0.0.1:6379';

export interface BotOptions {
  /** Postgres to create the bot's database in. @defaultValue the machine's shared one (TEST_PG_ADMIN_URL) */
  adminUrl?: string;
  /** @defaultValue the machine's shared Redis (with a unique QUEUE_PREFIX) */
  redisUrl?: string;
  /** Extra environment for the server and every worker. */
  env?: Record<string, string>;
}

/** A request the bot answered with its approval card. */
export interface Requested {
  run: string;
  card: StoredMessage;
}

export interface RunRow {
  id: string;
  state: string;
  reason: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  card_message_id: string | null;
}

export interface StepRow {
  idx: number;
  step_id: string;
  state: string;
  attempt: number;
  exit_code: number | null;
}

/**
 * The bot as it is deployed: `rollback-bot server` and `rollback-bot worker` as separate processes on real
 * Postgres and Redis, talking to the Lark sandbox (in this process). Tests drive it as people would: a message
 * in the chat, clicks on its cards; and they break its parts (kill, restart) in between.
 */
export interface Bot {
  readonly sandbox: Sandbox;
  /** The test's own pool on the bot's database (for assertions). */
  readonly pool: Pool;
  readonly env: Record<string, string>;
  readonly markerDir: string;
  server: BotProcess;
  /** Where the server listens (`http://127.0.0.1:<port>`). */
  readonly serverUrl: string;
  readonly workers: BotProcess[];
  /** Start one more worker process and wait until it takes jobs. */
  startWorker(extraEnv?: Record<string, string>): Promise<BotProcess>;
  request(text: string, options?: { chatId?: string; sender?: string }): Promise<Requested>;
  /** A Tech Lead presses Approve on the request's card. */
  approve(req: Requested, lead?: string): Promise<void>;
  run(runId: string): Promise<RunRow>;
  steps(runId: string): Promise<StepRow[]>;
  waitRun(runId: string, state: string | string[], timeoutMs?: number): Promise<RunRow>;
  /** Lines the run's steps wrote (`start <step> pid=…`, `end <step> pid=…`). */
  markers(runId: string): string[];
  /** Wait for `start <step>` number `n` (1-based) of the run; returns the step's pid (= its process group). */
  waitStepStart(runId: string, step: string, n?: number, timeoutMs?: number): Promise<number>;
  /** The pid of the `sleep` a `--child` step left in its group, for start number `n`. */
  childOf(runId: string, step: string, n?: number): number | undefined;
  /** A person says `text` in the chat; resolves with the bot's reply to that message. */
  say(text: string, options?: { chatId?: string; sender?: string }): Promise<string>;
  /** Text replies in the card's thread, in the order Lark stored them. */
  thread(card: StoredMessage): string[];
  /** The card as Lark shows it now (JSON). */
  cardJson(card: StoredMessage): string;
  /** Wait until the card is the summary card with this outcome (`Succeeded`, `Cancelled`, …). */
  waitCardOutcome(card: StoredMessage, outcome: string, timeoutMs?: number): Promise<void>;
  /** Wait until none of the run's outbox rows is pending; the rows' states, counted. */
  waitOutboxSettled(runId: string, timeoutMs?: number): Promise<Record<string, number>>;
  /** Warnings and errors the bot's processes logged (for a failing test's message). */
  problems(): string[];
  close(): Promise<void>;
}

export async function startBot(options: BotOptions = {}): Promise<Bot> {
  const adminUrl = options.adminUrl ?? SHARED_PG;
  const dbName = `rbf_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const pool = createPool(databaseUrl, 4);
  await migrate(pool);

  const sandbox = createSandbox({ appSecret: APP_SECRET, verificationToken: VERIFICATION_TOKEN });
  const { url: larkUrl } = await sandbox.listen();
  for (const chatId of [CHAT, CHAT_B]) {
    sandbox.addChat({
      chatId,
      name: chatId,
      members: [
        { openId: ONCALL, name: 'On-call' },
        { openId: LEAD_A, name: 'Lead A' },
        { openId: LEAD_B, name: 'Lead B' },
      ],
    });
  }
  const markerDir = mkdtempSync(join(tmpdir(), 'rb-faults-'));
  const redisUrl = options.redisUrl ?? SHARED_REDIS;
  const prefix = `rbf-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LARK_APP_ID: sandbox.config.appId,
    LARK_APP_SECRET: APP_SECRET,
    LARK_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    LARK_ENCRYPT_KEY: '',
    LARK_DOMAIN: larkUrl,
    LARK_BOT_OPEN_ID: sandbox.config.botOpenId,
    INCIDENT_CHAT_IDS: `${CHAT},${CHAT_B}`,
    TECH_LEAD_OPEN_IDS: `${LEAD_A},${LEAD_B}`,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    RUNBOOKS_DIR: 'tests/fixtures/fault-runbooks',
    TIMEZONE: 'Asia/Shanghai',
    LOCALE: 'en-US',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    // A dead worker is noticed within ~2 s, and Postgres is swept for lost work twice a second.
    WORKER_LOCK_MS: '2000',
    SWEEP_INTERVAL_MS: '500',
    SHUTDOWN_DEADLINE_MS: '5000',
    FAULT_MARKER_DIR: markerDir,
    ...options.env,
  };

  const server = spawnBot('server', 'server', env);
  const listening = await server.waitForLog(/rollback-bot server listening/, 60_000);
  const serverUrl = (JSON.parse(listening) as { url: string }).url;
  sandbox.setBotUrls({ eventUrl: `${serverUrl}/lark/events`, cardUrl: `${serverUrl}/lark/card` });

  const workers: BotProcess[] = [];
  let workerCount = 0;
  const stepPids = new Set<number>();

  const readMarkers = (runId: string) => {
    const file = join(markerDir, `${runId}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };

  const bot: Bot = {
    sandbox,
    pool,
    env,
    markerDir,
    server,
    serverUrl,
    workers,
    async startWorker(extraEnv = {}) {
      workerCount += 1;
      const worker = spawnBot(`worker-${workerCount}`, 'worker', { ...env, ...extraEnv });
      workers.push(worker);
      await worker.waitForLog(/rollback-bot worker started/, 60_000);
      return worker;
    },
    async request(text, { chatId = CHAT, sender = ONCALL } = {}) {
      const said = await sandbox.userSays({ chatId, senderOpenId: sender, text });
      if (said.status !== 200) throw new Error(`the bot answered ${said.status} to ${text}`);
      const row = await eventually(
        async () =>
          (await pool.query('SELECT id FROM runs WHERE source_message_id = $1', [said.messageId])).rows[0],
        15_000,
        `a run for "${text}"`,
      );
      const run = row.id as string;
      // The card the bot created for this run (its message id is recorded once Lark accepted it).
      const card = await eventually(
        async () => {
          const id = (await bot.run(run))?.card_message_id;
          return id ? sandbox.message(id) : undefined;
        },
        30_000,
        `the card of ${run}`,
      );
      return { run, card };
    },
    async approve(req, lead = LEAD_A) {
      const json = bot.cardJson(req.card);
      const match = /"value":(\{"action":"approve"[^}]*\})/.exec(json);
      if (!match?.[1]) throw new Error(`no Approve button on the card of ${req.run}: ${json.slice(0, 300)}`);
      const clicked = await sandbox.click({
        operatorOpenId: lead,
        messageId: req.card.messageId,
        value: JSON.parse(match[1]),
      });
      if (clicked.toast?.type !== 'success')
        throw new Error(`approve of ${req.run} answered ${clicked.status} ${JSON.stringify(clicked.toast)}`);
    },
    async run(runId) {
      const result = await pool.query(
        'SELECT id, state, reason, started_at, finished_at, card_message_id FROM runs WHERE id = $1',
        [runId],
      );
      return result.rows[0];
    },
    async steps(runId) {
      const result = await pool.query(
        'SELECT idx, step_id, state, attempt, exit_code FROM steps WHERE run_id = $1 ORDER BY idx',
        [runId],
      );
      return result.rows;
    },
    async waitRun(runId, state, timeoutMs = 30_000) {
      const wanted = Array.isArray(state) ? state : [state];
      let last: RunRow | undefined;
      try {
        return await eventually(
          async () => {
            last = await bot.run(runId).catch(() => last);
            return last && wanted.includes(last.state) ? last : undefined;
          },
          timeoutMs,
          `run ${runId} to be ${wanted.join('|')}`,
          100,
        );
      } catch (error) {
        throw new Error(
          `${(error as Error).message}; it is ${last?.state} (${last?.reason}); bot problems:\n${bot
            .problems()
            .slice(-15)
            .join('\n')}`,
        );
      }
    },
    markers: readMarkers,
    async waitStepStart(runId, step, n = 1, timeoutMs = 30_000) {
      const line = await eventually(
        () => readMarkers(runId).filter((l) => l.startsWith(`start ${step} `))[n - 1],
        timeoutMs,
        `start #${n} of step ${step} of ${runId}`,
        20,
      );
      const pid = Number(/pid=(\d+)/.exec(line)?.[1]);
      stepPids.add(pid);
      return pid;
    },
    childOf(runId, step, n = 1) {
      const line = readMarkers(runId).filter((l) => l.startsWith(`start ${step} `))[n - 1];
      const child = /child=(\d+)/.exec(line ?? '')?.[1];
      return child ? Number(child) : undefined;
    },
    async say(text, { chatId = CHAT, sender = ONCALL } = {}) {
      const said = await sandbox.userSays({ chatId, senderOpenId: sender, text });
      if (said.status !== 200) throw new Error(`the bot answered ${said.status} to ${text}`);
      const reply = await sandbox.waitFor(
        () => sandbox.botMessages(chatId).find((m) => m.parentId === said.messageId),
        30_000,
      );
      return reply.msgType === 'post'
        ? postText(reply, 'en_us')
        : String((reply.content as { text?: string }).text ?? JSON.stringify(reply.content));
    },
    thread(card) {
      const replies = sandbox
        .botMessages(card.chatId)
        .filter((m) => m.parentId === card.messageId && (m.msgType === 'text' || m.msgType === 'post'))
        .sort((a, b) => a.seq - b.seq);
      // One entry per line the bot owed the thread (step lines owed at once may share one reply).
      return threadEntries(replies);
    },
    cardJson(card) {
      return JSON.stringify(sandbox.message(card.messageId)?.content);
    },
    async waitCardOutcome(card, outcome, timeoutMs = 30_000) {
      const pattern = new RegExp(`\\*\\*Outcome:\\*\\* \\S+ ${outcome}\\b`);
      await sandbox.waitFor(() => pattern.test(bot.cardJson(card)), timeoutMs);
    },
    async waitOutboxSettled(runId, timeoutMs = 60_000) {
      return eventually(
        async () => {
          const r = await pool.query(
            'SELECT state, count(*)::int AS n FROM outbox WHERE run_id = $1 GROUP BY state',
            [runId],
          );
          const states: Record<string, number> = Object.fromEntries(r.rows.map((row) => [row.state, row.n]));
          return states.pending ? undefined : states;
        },
        timeoutMs,
        `the outbox of ${runId} to settle`,
        200,
      );
    },
    problems() {
      return [server, ...workers].flatMap((p) =>
        p.logs.filter((l) => !l.includes('"level":30')).map((l) => `${p.name}: ${l.slice(0, 400)}`),
      );
    },
    async close() {
      if (process.env.FAULTS_DUMP_LOGS) {
        for (const p of [server, ...workers]) console.log(`--- ${p.name}\n${p.logs.join('\n')}`);
      }
      const procs = [server, ...workers].filter((p) => !p.exit);
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(
        procs.map((p) =>
          Promise.race([p.exited, new Promise((done) => setTimeout(done, 10_000))]).then(() => {
            if (!p.exit) p.kill('SIGKILL');
          }),
        ),
      );
      // Steps are in their own process groups: none may outlive the test.
      for (const pid of stepPids) killGroup(pid);
      for (const file of readdirMarkers(markerDir)) {
        for (const m of readFileSync(file, 'utf8').matchAll(/pid=(\d+)/g)) killGroup(Number(m[1]));
      }
      await sandbox.close();
      await pool.end();
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await drop.end();
      rmSync(markerDir, { recursive: true, force: true });
      if (redisUrl === SHARED_REDIS) await dropQueueKeys(redisUrl, prefix);
    },
  };
  return bot;
}

function readdirMarkers(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Leave the shared Redis as we found it: delete this bot's queue keys. */
async function dropQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Button values on a card (`{"action":"retry","run":…,"plan":"1"}`), by action. */
export function buttonValues(cardJson: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const match of cardJson.matchAll(/"value":(\{"action":"[a-z_]+"[^}]*\})/g)) {
    const value = JSON.parse(match[1] as string) as Record<string, string>;
    out[value.action as string] = value;
  }
  return out;
}
