import { join } from 'node:path';
import { startServerChild } from '../lib/children.js';
import { botEnv } from '../lib/config.js';
import { CHATS, messageEvent, rawHttp } from '../lib/lark-bodies.js';
import { CONNECTIONS, describeRound, type Round, round } from '../lib/load.js';
import { botDatabase, commitsIn, redisKeys, tempDir, uniqueName } from '../lib/scratch.js';
import { median, ms, pct, type Row, rps } from '../lib/stats.js';
import { writeRequests } from '../lib/wrk.js';

const DISTINCT = 2000;
const WARMUP = 20_000;
const COUNT = 50_000;
const ROUNDS = 3;

/** Distinct signed, encrypted chat messages that are not for the bot (no mention, no /rollback). */
function chatter(hostPort: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    rawHttp(
      hostPort,
      '/lark/events',
      messageEvent(CHATS[i % CHATS.length] ?? 'oc_bench_0', `deploy ${i} finished, all green`, false),
    ),
  );
}

/** 1. Not a command: verified, decrypted, answered without Postgres or Redis; vs bare Fastify. */
export async function notCommand(): Promise<Row[]> {
  console.log(
    `\n## 1. Not-a-command vs bare Fastify — wrk, 1 thread, ${CONNECTIONS} keep-alive connections, ` +
      `${DISTINCT} distinct signed+encrypted events cycled; warm-up ${WARMUP} each, then ${ROUNDS} rounds × ${COUNT} requests each, alternating`,
  );
  const db = await botDatabase();
  const prefix = uniqueName('rbbench');
  const dir = tempDir('notcmd');
  const bare = await startServerChild('bare', {});
  const bot = await startServerChild('bot', botEnv({ databaseUrl: db.url, queuePrefix: prefix }));
  try {
    const servers = { bare, bot };
    const files = { bare: join(dir, 'bare.req'), bot: join(dir, 'bot.req') };
    const results: Record<'bare' | 'bot', Round[]> = { bare: [], bot: [] };
    const check = messageEvent(CHATS[0] ?? '', 'hello there', false);
    const answer = await fetch(`${bot.url}/lark/events`, {
      method: 'POST',
      headers: check.headers,
      body: check.body,
    });
    console.log(
      `  sanity: the bot answers a not-a-command event with ${answer.status} ${await answer.text()}`,
    );
    const keysBefore = await redisKeys(prefix);
    const commitsBefore = await commitsIn(db.name);
    for (const name of ['bare', 'bot'] as const) {
      writeRequests(files[name], chatter(servers[name].hostPort, DISTINCT));
      await round(servers[name], files[name], WARMUP);
    }
    for (let i = 1; i <= ROUNDS; i++) {
      for (const name of ['bare', 'bot'] as const) {
        writeRequests(files[name], chatter(servers[name].hostPort, DISTINCT)); // fresh timestamps (±300 s)
        const r = await round(servers[name], files[name], COUNT);
        results[name].push(r);
        console.log(`  round ${i} ${name.padEnd(5)} ${describeRound(r)}`);
      }
    }
    const commits = (await commitsIn(db.name)) - commitsBefore;
    const keys = (await redisKeys(prefix)) - keysBefore;
    const m = (name: 'bare' | 'bot', k: 'rps' | 'p50' | 'p99' | 'cpuUsPerRequest') =>
      median(results[name].map((r) => r[k]));
    const ratio = m('bot', 'rps') / m('bare', 'rps');
    const cpuRatio = m('bare', 'cpuUsPerRequest') / m('bot', 'cpuUsPerRequest');
    for (const name of ['bare', 'bot'] as const) {
      console.log(
        `  median ${name.padEnd(5)} ${rps(m(name, 'rps')).padStart(13)}  p50 ${ms(m(name, 'p50'))}  p99 ${ms(m(name, 'p99'))}  CPU ${m(name, 'cpuUsPerRequest').toFixed(0)} µs/req`,
      );
    }
    console.log(`  bot / bare throughput = ${pct(ratio)}   (budget ≥ 50 %)`);
    console.log(
      `  bare / bot CPU per request = ${pct(cpuRatio)}   (the same ratio, free of the machine's other load)`,
    );
    console.log(
      `  the bot's database committed ${commits} transaction(s) during ${WARMUP + ROUNDS * COUNT} events ` +
        `(pg_stat_database); new Redis keys under its prefix: ${keys}`,
    );
    return [
      {
        part: '1 not-a-command',
        measure: 'throughput, bot vs bare Fastify',
        figure: `${rps(m('bot', 'rps'))} vs ${rps(m('bare', 'rps'))} = ${pct(ratio)}`,
        budget: '≥ 50 %',
        within: ratio >= 0.5 ? 'yes' : 'no',
      },
      {
        part: '1 not-a-command',
        measure: 'server CPU per request, bot vs bare',
        figure: `${m('bot', 'cpuUsPerRequest').toFixed(0)} µs vs ${m('bare', 'cpuUsPerRequest').toFixed(0)} µs = ${pct(cpuRatio)}`,
        budget: '≥ 50 %',
        within: cpuRatio >= 0.5 ? 'yes' : 'no',
      },
      {
        part: '1 not-a-command',
        measure: `bot latency p50 / p99 (c=${CONNECTIONS})`,
        figure: `${ms(m('bot', 'p50'))} / ${ms(m('bot', 'p99'))}`,
        budget: '',
        within: '',
      },
      {
        part: '1 not-a-command',
        measure: 'Postgres transactions / Redis keys',
        figure: `${commits} / ${keys}`,
        budget: '0 / 0',
        within: commits === 0 && keys === 0 ? 'yes' : 'no',
      },
    ];
  } finally {
    await bot.stop();
    await bare.stop();
    await redisKeys(prefix, true);
    await db.drop();
  }
}
