import Fastify, { LogController } from 'fastify';
import type { Context } from '../cli/context.js';
import { runsDeps } from '../cli/context.js';
import { migrationsApplied } from '../db/migrate.js';
import { createLarkMessenger } from '../lark/client.js';
import { createMetrics } from '../util/metrics.js';
import { createQueues, redisConnection } from '../worker/queues.js';
import { BODY_LIMIT, rollbackApp } from './app.js';

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
  const redis = redisConnection(config.REDIS_URL);
  redis.on('error', (error) => ctx.log.warn({ err: error.message }, 'redis connection error'));
  const queues = createQueues(redis, config.QUEUE_PREFIX);
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
  await app.register(rollbackApp, {
    runs: runsDeps(ctx, queues.jobs),
    botOpenId,
    render: ctx.render,
    onDuplicate: () => metrics.dedupeHits.inc(),
    metrics: () => metrics.text(),
    verify: {
      encryptKey: config.LARK_ENCRYPT_KEY,
      verificationToken: config.LARK_VERIFICATION_TOKEN,
      now: options.now ?? Date.now,
    },
    readiness: {
      postgres: async () => (await ctx.pool.query('SELECT 1')).rowCount === 1,
      migrations: () => migrationsApplied(ctx.pool),
      redis: async () => (await redis.ping()) === 'PONG',
    },
  });
  const url = await app.listen({ port: options.port ?? config.PORT, host: options.host ?? config.HOST });
  return {
    url,
    async close() {
      // Stop taking requests and drain in-flight ones, then the producers, then Redis. The pool is the caller's.
      await app.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
