import { Redis } from 'ioredis';
import pg from 'pg';
import type { ServerChild } from './children.js';
import { cpuWindow } from './cpu.js';
import { ADMIN_URL, REDIS_URL } from './scratch.js';
import { ms, rps } from './stats.js';
import { runWrk, type WrkResult } from './wrk.js';

export const CONNECTIONS = 50;

export interface Round extends WrkResult {
  /** CPU the server process spent per answered request, µs (robust against the machine's other load). */
  cpuUsPerRequest: number;
  /** CPU of the server's own Postgres backends per request, µs. */
  pgUsPerRequest: number;
  /** CPU of redis-server per request, µs (Redis is shared: includes whatever else used it meanwhile). */
  redisUsPerRequest: number;
  /** CPU other processes used meanwhile, in % of one core (other suites running on the box). */
  othersPct: number;
  /** Wrk's own CPU, % of one core. */
  wrkPct: number;
  /** Interrupt (softirq, loopback networking) time, % of one core. */
  irqPct: number;
}

let redisPid: number | undefined;
async function redisServerPid(): Promise<number> {
  if (redisPid === undefined) {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    const info = await redis.info('server');
    redis.disconnect();
    redisPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return redisPid;
}

/** Backends connected to database `name` right now (the server's pool, once warmed up). */
async function backendsOf(name: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    return r.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/**
 * One wrk run of `count` requests from `file` against `server`, with the CPU per request of the server, of its
 * Postgres backends (when `database` is given) and of Redis.
 */
export async function round(
  server: ServerChild,
  file: string,
  count: number,
  options: { database?: string; path?: string } = {},
): Promise<Round> {
  const postgres = options.database ? await backendsOf(options.database) : [];
  const window = cpuWindow({ server: server.pid, postgres, redis: await redisServerPid() });
  const r = await runWrk({
    url: `${server.url}${options.path ?? '/lark/events'}`,
    file,
    count,
    connections: CONNECTIONS,
  });
  const cpu = window.end(Number.isFinite(r.wrkCpuMs) ? r.wrkCpuMs : 0);
  const perRequest = (cpuMs: number) => (cpuMs * 1000) / r.responses;
  return {
    ...r,
    cpuUsPerRequest: perRequest(cpu.serverMs),
    pgUsPerRequest: perRequest(cpu.postgresMs),
    redisUsPerRequest: perRequest(cpu.redisMs),
    othersPct: (cpu.othersMs / cpu.wallMs) * 100,
    wrkPct: (r.wrkCpuMs / cpu.wallMs) * 100,
    irqPct: (cpu.interruptsMs / cpu.wallMs) * 100,
  };
}

export const describeRound = (r: Round, withStores = false) =>
  `${rps(r.rps).padStart(13)}  p50 ${ms(r.p50).padStart(8)}  p95 ${ms(r.p95).padStart(8)}  p99 ${ms(r.p99).padStart(8)}` +
  `  CPU µs/req: server ${r.cpuUsPerRequest.toFixed(0)}` +
  (withStores ? `, postgres ${r.pgUsPerRequest.toFixed(0)}, redis ${r.redisUsPerRequest.toFixed(0)}` : '') +
  `  [% of a core: wrk ${r.wrkPct.toFixed(0)}, irq ${r.irqPct.toFixed(0)}, other processes ${r.othersPct.toFixed(0)}]` +
  `  (${r.responses} in ${r.seconds.toFixed(2)} s${r.non200 ? `, NON-200 ${r.non200}` : ''}${r.socketErrors ? `, socket errors ${r.socketErrors}` : ''})`;
