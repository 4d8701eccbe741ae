import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Queryable } from '../db/pool.js';
import { ACTIVE_STATES, FINAL_STATES } from '../runs/states.js';
import { countsByState } from '../runs/stats-repo.js';

const RUN_STATES: readonly string[] = [...ACTIVE_STATES, ...FINAL_STATES];
const OUTBOX_STATES = ['pending', 'sent', 'superseded', 'failed'];

export interface Metrics {
  registry: Registry;
  eventAck: Histogram<'route' | 'status'>;
  dedupeHits: Counter;
  /** The long connection: 1 for its current state. */
  larkConnection: Gauge<'state'>;
  larkReconnects: Counter;
  /** Events and clicks received over the long connection, and the time to their ack. */
  larkFrames: Counter<'kind' | 'outcome'>;
  stepDuration: Histogram<'runbook' | 'step' | 'state'>;
  larkApi: Histogram<'op' | 'result' | 'status'>;
  outboxDelivered: Counter<'op' | 'result'>;
  text(): Promise<{ contentType: string; body: string }>;
}

/** One registry per process. With a pool, runs and outbox rows by state are read from Postgres at scrape time. */
export function createMetrics(pool?: Queryable): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rollback_bot_' });
  const eventAck = new Histogram({
    name: 'rollback_bot_event_ack_seconds',
    help: 'Time to answer a Lark event or card callback',
    labelNames: ['route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const dedupeHits = new Counter({
    name: 'rollback_bot_dedupe_hits_total',
    help: 'Duplicate Lark deliveries acknowledged without acting',
    registers: [registry],
  });
  const larkConnection = new Gauge({
    name: 'rollback_bot_lark_connection_state',
    help: 'Long connection to Lark: 1 for the current state (connecting, connected, reconnecting, stopped)',
    labelNames: ['state'],
    registers: [registry],
  });
  const larkReconnects = new Counter({
    name: 'rollback_bot_lark_reconnects_total',
    help: 'Times the long connection to Lark was opened again after a loss',
    registers: [registry],
  });
  const larkFrames = new Counter({
    name: 'rollback_bot_lark_frames_total',
    help: 'Events and card clicks received over the long connection',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: 'rollback_bot_step_duration_seconds',
    help: 'Duration of runbook steps',
    labelNames: ['runbook', 'step', 'state'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const larkApi = new Histogram({
    name: 'rollback_bot_lark_api_seconds',
    help: 'Lark Open API calls by operation, result and HTTP status',
    labelNames: ['op', 'result', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const outboxDelivered = new Counter({
    name: 'rollback_bot_outbox_sends_total',
    help: 'Outbox sends by result',
    labelNames: ['op', 'result'],
    registers: [registry],
  });
  if (pool) {
    const stateGauge = (name: string, help: string, key: 'runs' | 'outbox', states: readonly string[]) =>
      new Gauge({
        name,
        help,
        labelNames: ['state'],
        registers: [registry],
        // Read from Postgres at scrape time: the database is the truth, not this process's memory.
        async collect() {
          const counts = (await countsByState(pool))[key];
          for (const state of states) this.set({ state }, counts[state] ?? 0);
        },
      });
    stateGauge('rollback_bot_runs', 'Runs by state', 'runs', RUN_STATES);
    stateGauge('rollback_bot_outbox_messages', 'Outbox rows by state', 'outbox', OUTBOX_STATES);
  }
  return {
    registry,
    eventAck,
    dedupeHits,
    larkConnection,
    larkReconnects,
    larkFrames,
    stepDuration,
    larkApi,
    outboxDelivered,
    async text() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * A bare HTTP endpoint for a process without Fastify (the worker): `/metrics`, and `/health/ready` saying which
 * dependency is gone (503 with `checks: { redis: 'down', … }`) when `readiness` is given.
 */
export async function serveMetrics(
  metrics: Metrics,
  port: number,
  readiness?: () => Record<string, 'up' | 'down'>,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/health/ready' && readiness) {
      const checks = readiness();
      const ready = Object.values(checks).every((state) => state === 'up');
      response
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      return;
    }
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  return server;
}
