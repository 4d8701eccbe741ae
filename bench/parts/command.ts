import { join } from 'node:path';
import pg from 'pg';
import { usage } from '../../src/commands/replies.js';
import { loadCatalog } from '../../src/runbooks/load.js';
import { type ServerChild, startServerChild } from '../lib/children.js';
import { botEnv } from '../lib/config.js';
import { APP, CHATS, messageEvent, rawHttp } from '../lib/lark-bodies.js';
import { CONNECTIONS, describeRound, type Round, round } from '../lib/load.js';
import {
  botDatabase,
  REDIS_URL,
  redisKeys,
  targetId,
  tempDir,
  uniqueName,
  writeTargets,
} from '../lib/scratch.js';
import { median, ms, pct, type Row, rps } from '../lib/stats.js';
import { writeRequests } from '../lib/wrk.js';

const HELP_WARMUP = 3000;
const HELP_COUNT = 10_000;
const ROUNDS = 3;
/** Targets in the catalog of the request bench: each request needs a free one (one active run per target). */
const TARGETS = 1000;

const chat = (i: number) => CHATS[i % CHATS.length] ?? 'oc_bench_0';

/** `n` distinct commands (new event_id and message_id each), `text(i)` addressed to the bot. */
function commands(hostPort: string, n: number, text: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) =>
    rawHttp(hostPort, '/lark/events', messageEvent(chat(i), text(i), true)),
  );
}

type Who = 'durable' | 'bot';

/** 2. A command: one transaction + outbox + enqueue before the answer; vs one HMAC + one INSERT + one BullMQ add. */
export async function command(): Promise<Row[]> {
  console.log(
    `\n## 2. Command → answer vs the minimal durable route (sha256 signature check + INSERT + BullMQ add) — wrk, 1 thread, ${CONNECTIONS} connections, every request a new event_id`,
  );
  const db = await botDatabase();
  const dir = tempDir('command');
  const prefixes = {
    durable: uniqueName('rbbench'),
    help: uniqueName('rbbench'),
    request: uniqueName('rbbench'),
  };
  const targetsFile = writeTargets(dir, TARGETS);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const children: ServerChild[] = [];
  const start = async (name: string, env: Record<string, string>) => {
    const child = await startServerChild(name, env);
    children.push(child);
    return child;
  };
  try {
    const durable = await start('durable', {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefixes.durable,
      LARK_ENCRYPT_KEY: APP.encryptKey,
    });
    // The shipped-size catalog for help (the help text lists every target); 1000 targets for real requests.
    const helpBot = await start('bot', botEnv({ databaseUrl: db.url, queuePrefix: prefixes.help }));
    const file = join(dir, 'cmd.req');

    // --- help: one transaction (dedupe row + outbox reply), one enqueue.
    console.log(
      `  /rollback help: warm-up ${HELP_WARMUP} each, then ${ROUNDS} rounds × ${HELP_COUNT}, alternating with the durable route`,
    );
    const servers: Record<Who, ServerChild> = { durable, bot: helpBot };
    const help: Record<Who, Round[]> = { durable: [], bot: [] };
    for (const who of ['durable', 'bot'] as const) {
      writeRequests(
        file,
        commands(servers[who].hostPort, HELP_WARMUP + CONNECTIONS, () => '/rollback help'),
      );
      await round(servers[who], file, HELP_WARMUP, { database: db.name });
    }
    for (let i = 1; i <= ROUNDS; i++) {
      for (const who of ['durable', 'bot'] as const) {
        writeRequests(
          file,
          commands(servers[who].hostPort, HELP_COUNT + CONNECTIONS, () => '/rollback help'),
        );
        const r = await round(servers[who], file, HELP_COUNT, { database: db.name });
        help[who].push(r);
        console.log(`  round ${i} ${who.padEnd(7)} ${describeRound(r, true)}`);
      }
    }
    const replies = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE op = 'reply'`,
    );
    console.log(
      `  sanity: ${replies.rows[0]?.n} help replies in the outbox for ${HELP_WARMUP + ROUNDS * HELP_COUNT} commands counted ` +
        `(+ up to ${CONNECTIONS} in flight at the end of each run); no worker runs, so they wait in Postgres and BullMQ`,
    );
    await helpBot.stop();

    // --- real requests: each creates a run awaiting approval (run + steps + card in the outbox, 2 enqueues).
    const requestBot = await start(
      'bot',
      botEnv({ databaseUrl: db.url, queuePrefix: prefixes.request, targetsFile }),
    );
    console.log(
      `  /rollback bench <target>: ${TARGETS} targets, so batches of ${TARGETS} requests (one per target); between batches the bench ` +
        'frees the targets with one UPDATE (untimed); 1 warm-up batch each, then ' +
        `${ROUNDS} batches each, alternating with the durable route (same batch size)`,
    );
    const req: Record<Who, Round[]> = { durable: [], bot: [] };
    const reqServers: Record<Who, ServerChild> = { durable, bot: requestBot };
    const free = async () => {
      const r = await pool.query(
        `UPDATE runs SET state = 'cancelled', finished_at = now() WHERE state = 'awaiting_approval'`,
      );
      return r.rowCount ?? 0;
    };
    for (let i = 0; i <= ROUNDS; i++) {
      for (const who of ['durable', 'bot'] as const) {
        // wrk keeps up to CONNECTIONS requests in flight past the count: those get targets that stay free.
        const n = TARGETS - CONNECTIONS;
        writeRequests(
          file,
          commands(reqServers[who].hostPort, TARGETS, (k) => `/rollback bench ${targetId(k)}`),
        );
        const r = await round(reqServers[who], file, n, { database: db.name });
        if (who === 'bot') {
          const created = await free();
          if (i > 0)
            console.log(`  batch ${i} ${who.padEnd(7)} ${describeRound(r, true)}  runs created: ${created}`);
        } else if (i > 0) console.log(`  batch ${i} ${who.padEnd(7)} ${describeRound(r, true)}`);
        if (i > 0) req[who].push(r);
      }
    }
    const catalog = loadCatalog({
      dir: 'bench/fixtures/runbooks',
      targetsFile,
      env: { BENCH_MARKER_DIR: '/tmp' },
    });
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) usage(catalog);
    const usageUs = ((performance.now() - t0) / 2000) * 1000;
    console.log(
      `  note: handleMessage builds usage(catalog) for every command, also when it is not needed; with ${TARGETS} targets that is ${usageUs.toFixed(0)} µs of CPU per request here (~10 µs with a few targets)`,
    );

    const m = (
      set: Record<Who, Round[]>,
      who: Who,
      k: 'rps' | 'p50' | 'p99' | 'cpuUsPerRequest' | 'pgUsPerRequest' | 'redisUsPerRequest',
    ) => median(set[who].map((r) => r[k]));
    const rows: Row[] = [];
    for (const [label, set] of [
      ['help', help],
      ['request', req],
    ] as const) {
      const ratio = m(set, 'bot', 'rps') / m(set, 'durable', 'rps');
      const cpuRatio = m(set, 'durable', 'cpuUsPerRequest') / m(set, 'bot', 'cpuUsPerRequest');
      for (const who of ['durable', 'bot'] as const) {
        console.log(
          `  ${label.padEnd(7)} median ${who.padEnd(7)} ${rps(m(set, who, 'rps')).padStart(12)}  p50 ${ms(m(set, who, 'p50'))}  p99 ${ms(m(set, who, 'p99'))}  CPU µs/req: server ${m(set, who, 'cpuUsPerRequest').toFixed(0)}, postgres ${m(set, who, 'pgUsPerRequest').toFixed(0)}, redis ${m(set, who, 'redisUsPerRequest').toFixed(0)}`,
        );
      }
      console.log(
        `  ${label.padEnd(7)} bot / durable throughput = ${pct(ratio)}, durable / bot CPU per request = ${pct(cpuRatio)}   (budget ≥ 80 %)`,
      );
      rows.push(
        {
          part: `2 command (${label})`,
          measure: 'throughput, bot vs durable route',
          figure: `${rps(m(set, 'bot', 'rps'))} vs ${rps(m(set, 'durable', 'rps'))} = ${pct(ratio)}`,
          budget: '≥ 80 %',
          within: ratio >= 0.8 ? 'yes' : 'no',
        },
        {
          part: `2 command (${label})`,
          measure: 'server CPU per request, bot vs durable',
          figure: `${m(set, 'bot', 'cpuUsPerRequest').toFixed(0)} µs vs ${m(set, 'durable', 'cpuUsPerRequest').toFixed(0)} µs = ${pct(cpuRatio)}`,
          budget: '≥ 80 %',
          within: cpuRatio >= 0.8 ? 'yes' : 'no',
        },
        {
          part: `2 command (${label})`,
          measure: `bot latency p50 / p99 (c=${CONNECTIONS})`,
          figure: `${ms(m(set, 'bot', 'p50'))} / ${ms(m(set, 'bot', 'p99'))}`,
          budget: '',
          within: '',
        },
      );
    }
    return rows;
  } finally {
    for (const child of children) await child.stop();
    await pool.end();
    for (const prefix of Object.values(prefixes)) await redisKeys(prefix, true);
    await db.drop();
  }
}
