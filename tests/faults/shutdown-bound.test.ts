import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_SHUTDOWN_BOUND_MS } from '../../src/server/server.js';
import { shutdownBoundMs } from '../../src/worker/runtime.js';
import { type Bot, LEAD_A, startBot } from './helpers/bot.js';
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from './helpers/infra.js';
import { type BotProcess, eventually, freePort, sleep } from './helpers/procs.js';

/**
 * Issue 15: with Redis (or Postgres) gone, SIGTERM still stops the worker within SHUTDOWN_DEADLINE_MS plus a
 * grace, exit code 0, its running non-idempotent step recorded `interrupted` once Postgres is reachable; and
 * the lost dependency is logged once, then at a bounded rate, not once per retry, by the worker and the server.
 * Our own redis-server and Postgres cluster, never the shared ones.
 */

const DEADLINE_MS = 1000;
/** The window over which log lines are counted while the dependency is gone. */
const WINDOW_MS = 10_000;
/** "Lost", one report per interval (10 s), and a line of slack for the report's timer phase. */
const MAX_LINES = 3;

let bot: Bot | undefined;
let redis: OwnRedis | undefined;
let pgc: OwnPostgres | undefined;

afterEach(async () => {
  await redis?.start().catch(() => {});
  await pgc?.start().catch(() => {});
  await bot?.close();
  await redis?.close();
  await pgc?.close();
  bot = undefined;
  redis = undefined;
  pgc = undefined;
}, 60_000);

/** Lines a process wrote since line `from` other than info records (warnings, errors, stray stderr). */
const problemsSince = (p: BotProcess, from: number) =>
  p.logs.slice(from).filter((l) => !/"level":(20|30)/.test(l));

async function readiness(port: number): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
  return {
    status: response.status,
    checks: ((await response.json()) as { checks: Record<string, string> }).checks,
  };
}

/** A non-idempotent step running on a worker with a metrics port; returns the run and the worker. */
async function mutating(b: Bot, target: string) {
  const metricsPort = await freePort();
  const worker = await b.startWorker({ WORKER_METRICS_PORT: String(metricsPort) });
  expect((await readiness(metricsPort)).status).toBe(200);
  const req = await b.request(`/rollback crash ${target} ms=50000`);
  await b.approve(req, LEAD_A);
  await b.waitStepStart(req.run, 'mutate');
  return { req, worker, metricsPort };
}

/** The dependency goes; over the window, few lines about it, and the worker's readiness names it. */
async function boundedWhileGone(
  b: Bot,
  worker: BotProcess,
  metricsPort: number,
  gone: 'redis' | 'postgres',
  stop: () => Promise<void>,
) {
  const from = { worker: worker.logs.length, server: b.server.logs.length };
  const since = Date.now();
  await stop();
  const ready = await eventually(
    async () => {
      const r = await readiness(metricsPort);
      return r.status === 503 ? r : undefined;
    },
    5_000,
    `the worker's /health/ready to say ${gone} is down`,
  );
  expect(ready.checks[gone]).toBe('down');
  await sleep(WINDOW_MS - (Date.now() - since));
  const lines = { worker: problemsSince(worker, from.worker), server: problemsSince(b.server, from.server) };
  console.log(
    `[faults] ${gone} gone for ${WINDOW_MS} ms: worker wrote ${lines.worker.length} warning line(s), ` +
      `server ${lines.server.length}`,
  );
  expect(lines.worker.length, lines.worker.join('\n')).toBeLessThanOrEqual(MAX_LINES);
  expect(lines.server.length, lines.server.join('\n')).toBeLessThanOrEqual(MAX_LINES);
  expect(lines.worker.some((l) => l.includes(`${gone} is unreachable`))).toBe(true);
}

async function sigterm(p: BotProcess, boundMs: number): Promise<number> {
  const sent = Date.now();
  p.kill('SIGTERM');
  const exit = await Promise.race([p.exited, sleep(boundMs + 5000).then(() => undefined)]);
  const tookMs = Date.now() - sent;
  expect(exit, `${p.name} still alive ${tookMs} ms after SIGTERM`).toEqual({ code: 0, signal: null });
  expect(tookMs).toBeLessThanOrEqual(boundMs + 1000);
  return tookMs;
}

/** The worker closed in order (its own bounds), not by the process's last-resort exit. */
function closedInOrder(p: BotProcess): void {
  expect(p.logs.some((l) => l.includes('shutdown: worker closed'))).toBe(true);
  expect(p.logs.some((l) => l.includes('shutdown bound reached'))).toBe(false);
}

describe('SIGTERM while a dependency is gone', () => {
  it('Redis gone: bounded log, readiness says redis, exit 0 within the bound, step recorded interrupted', async () => {
    redis = await startOwnRedis();
    bot = await startBot({ redisUrl: redis.url, env: { SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS) } });
    const { req, worker, metricsPort } = await mutating(bot, 't1');
    const own = redis;
    await boundedWhileGone(bot, worker, metricsPort, 'redis', () => own.kill());

    const tookMs = await sigterm(worker, shutdownBoundMs(DEADLINE_MS));
    console.log(`[faults] worker exited 0 ${tookMs} ms after SIGTERM with Redis gone`);
    closedInOrder(worker);
    expect((await bot.steps(req.run)).map((s) => [s.step_id, s.state])).toEqual([
      ['prep', 'succeeded'],
      ['mutate', 'interrupted'],
      ['finish', 'pending'],
    ]);
    expect((await bot.run(req.run)).state).toBe('paused');
    const serverMs = await sigterm(bot.server, SERVER_SHUTDOWN_BOUND_MS);
    console.log(`[faults] server exited 0 ${serverMs} ms after SIGTERM with Redis gone`);
  }, 90_000);

  it('Postgres gone: bounded log, exit 0 within the bound; the step is recorded interrupted once it is back', async () => {
    pgc = await startOwnPostgres();
    bot = await startBot({ adminUrl: pgc.adminUrl, env: { SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS) } });
    const { req, worker, metricsPort } = await mutating(bot, 't2');
    const own = pgc;
    await boundedWhileGone(bot, worker, metricsPort, 'postgres', () => own.stop());

    const tookMs = await sigterm(worker, shutdownBoundMs(DEADLINE_MS));
    console.log(`[faults] worker exited 0 ${tookMs} ms after SIGTERM with Postgres gone`);
    closedInOrder(worker);
    await pgc.start();
    // The next worker finds the step the stopped one could not record, and does not re-run it.
    await bot.startWorker();
    const paused = await bot.waitRun(req.run, 'paused', 30_000);
    expect(paused.reason).toMatch(/mutate/);
    expect((await bot.steps(req.run)).map((s) => [s.step_id, s.state])).toEqual([
      ['prep', 'succeeded'],
      ['mutate', 'interrupted'],
      ['finish', 'pending'],
    ]);
    expect(bot.markers(req.run).filter((l) => l.startsWith('start mutate '))).toHaveLength(1);
  }, 120_000);
});
