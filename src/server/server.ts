import Fastify, { LogController } from 'fastify';
import type { Context } from '../cli/context.js';
import { runsDeps } from '../cli/context.js';
import { migrationsApplied } from '../db/migrate.js';
import { createLarkMessenger } from '../lark/client.js';
import { type LongConnection, startLongConnection } from '../lark/long-connection.js';
import { runnerPoolOf } from '../runs/run-repo.js';
import { createDependencyMonitor, watchPostgres } from '../util/dependencies.js';
import { createMetrics } from '../util/metrics.js';
import { withinMs } from '../util/within.js';
import { closeConnection, createQueues, detachedJobs, redisConnection } from '../worker/queues.js';
import { BODY_LIMIT, rollbackApp } from './app.js';
import type { InboundDeps } from './inbound.js';
import { longConnectionHandler } from './ws-inbound.js';

/** How long each part of the server may take to close. */
const CLOSE_GRACE_MS = 2000;
/** The longest the server process takes to stop once asked, whatever state Redis and Postgres are in. */
export const SERVER_SHUTDOWN_BOUND_MS = 4 * CLOSE_GRACE_MS;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Build and start the HTTP server: the plugin, its producers, its readiness checks. */
export async function startServer(
  ctx: Context,
  options: { port?: number; host?: string; now?: () => number } = {},
): Promise<RunningServer> {
  const { config } = ctx;
  const deps = createDependencyMonitor(ctx.log, {
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
  });
  const redis = redisConnection(config.REDIS_URL);
  redis.on('error', (error) => deps.failed('redis', error));
  redis.on('ready', () => deps.ok('redis'));
  const stopWatching = watchPostgres(deps, () => ctx.pool.query('SELECT 1'));
  const queues = createQueues(
    redis,
    config.QUEUE_PREFIX,
    (error) =>
      deps.classify(error, 'redis')
        ? deps.failed('redis', error)
        : ctx.log.warn({ err: error.message }, 'queue error'),
    (runId) => runnerPoolOf(ctx.pool, runId),
  );
  // An answer to Lark never waits on Redis: what a click or a command committed is in Postgres, and the
  // worker's sweep re-triggers whatever these triggers lose.
  const jobs = detachedJobs(queues.jobs, redis, (error, what) =>
    ctx.log.warn({ err: (error as Error).message, job: what }, 'trigger not queued; the sweep will queue it'),
  );
  const botOpenId =
    config.LARK_BOT_OPEN_ID ||
    (await createLarkMessenger({
      appId: config.LARK_APP_ID,
      appSecret: config.LARK_APP_SECRET,
      domain: config.LARK_DOMAIN,
    }).botOpenId());
  const metrics = createMetrics(ctx.pool);
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/lark/')) {
      metrics.eventAck.observe(
        { route: request.url, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
  });
  const inbound: InboundDeps = {
    runs: runsDeps(ctx, jobs),
    botOpenId,
    render: ctx.render,
    onDuplicate: () => metrics.dedupeHits.inc(),
  };
  const connection =
    config.LARK_EVENT_MODE === 'websocket' ? openLongConnection(ctx, inbound, metrics) : undefined;
  await app.register(rollbackApp, {
    ...inbound,
    webhooks: !connection,
    ...(connection ? { larkConnection: () => connection.status() } : {}),
    metrics: () => metrics.text(),
    verify: {
      encryptKey: config.LARK_ENCRYPT_KEY,
      verificationToken: config.LARK_VERIFICATION_TOKEN,
      now: options.now ?? Date.now,
    },
    readiness: {
      postgres: async () => (await ctx.pool.query('SELECT 1')).rowCount === 1,
      migrations: () => migrationsApplied(ctx.pool),
      redis: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG',
    },
  });
  const url = await app.listen({ port: options.port ?? config.PORT, host: options.host ?? config.HOST });
  return {
    url,
    async close() {
      // Stop taking requests and drain in-flight ones, then the producers, then Redis: each within a bound, as
      // a queue or connection whose server is gone never closes politely. The pool is the caller's.
      stopWatching();
      connection?.close();
      await withinMs(app.close(), CLOSE_GRACE_MS);
      await queues.close(CLOSE_GRACE_MS);
      await closeConnection(redis, CLOSE_GRACE_MS);
      deps.close();
    },
  };
}

/** Events and clicks by the SDK's long connection, into the same dispatch as the webhook routes. */
function openLongConnection(
  ctx: Context,
  inbound: InboundDeps,
  metrics: ReturnType<typeof createMetrics>,
): LongConnection {
  const { config } = ctx;
  let lastState = '';
  return startLongConnection({
    appId: config.LARK_APP_ID,
    appSecret: config.LARK_APP_SECRET,
    domain: config.LARK_DOMAIN,
    log: ctx.log,
    handle: longConnectionHandler(inbound, ctx.log, (kind, outcome, seconds) => {
      metrics.larkFrames.inc({ kind, outcome });
      metrics.eventAck.observe({ route: `ws:${kind}`, status: outcome }, seconds);
    }),
    onState: (status) => {
      if (status.state === 'connected' && lastState === 'reconnecting') metrics.larkReconnects.inc();
      lastState = status.state;
      metrics.larkConnection.reset();
      metrics.larkConnection.set({ state: status.state }, 1);
    },
  });
}
