import { type Job, Worker } from 'bullmq';
import type { Context } from '../cli/context.js';
import { runsDeps } from '../cli/context.js';
import { createLarkMessenger, type LarkMessenger } from '../lark/client.js';
import { deliverStream, StreamBusyError } from '../lark/outbox-delivery.js';
import { createRedisPacer } from '../lark/pacer.js';
import { expireRun } from '../runs/decide.js';
import { createMetrics, serveMetrics } from '../util/metrics.js';
import { executeRun } from './execute.js';
import { preflightRun } from './preflight.js';
import { createQueues, type Payloads, redisConnection } from './queues.js';
import { sweep } from './sweep.js';

export interface WorkerOptions {
  /** @defaultValue SWEEP_INTERVAL_MS */
  sweepMs?: number;
  /** Parallel runs per worker process (runs on different targets). @defaultValue WORKER_CONCURRENCY */
  executeConcurrency?: number;
  /** Swap the Lark client (tests); default: the SDK Client pointed at LARK_DOMAIN. */
  messenger?: LarkMessenger;
  pollMs?: number;
  deliveryBackoff?: { baseMs: number; capMs: number };
}

export interface RunningWorker {
  /** Stop taking jobs; let a running step finish up to `deadlineMs`, then kill it (recorded interrupted). */
  close(deadlineMs?: number): Promise<void>;
}

export async function startWorker(ctx: Context, options: WorkerOptions = {}): Promise<RunningWorker> {
  const { config, log, pool } = ctx;
  const producer = redisConnection(config.REDIS_URL);
  producer.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
  const queues = createQueues(producer, config.QUEUE_PREFIX);
  const deps = runsDeps(ctx, queues.jobs);
  const messenger =
    options.messenger ??
    createLarkMessenger({
      appId: config.LARK_APP_ID,
      appSecret: config.LARK_APP_SECRET,
      domain: config.LARK_DOMAIN,
    });
  const pacer = createRedisPacer(producer, config.QUEUE_PREFIX);
  const shutdown = new AbortController();
  const metrics = createMetrics();
  const metricsServer = config.WORKER_METRICS_PORT
    ? await serveMetrics(metrics, config.WORKER_METRICS_PORT)
    : undefined;
  const common = { prefix: config.QUEUE_PREFIX, connection: redisConnection(config.REDIS_URL) };

  // What the step-running processors (execute, preflight) share.
  const stepDeps = {
    pool,
    jobs: queues.jobs,
    catalog: () => ctx.catalog,
    baseDir: ctx.baseDir,
    stepBaseEnv: ctx.stepBaseEnv,
    log,
  };
  const execute = new Worker<Payloads['execute']>(
    'execute',
    async (job: Job<Payloads['execute']>) =>
      executeRun(
        {
          ...stepDeps,
          shutdown: shutdown.signal,
          // The lease lapses as soon as the BullMQ lock would: a run whose job Redis lost is then re-queued by
          // the sweep after about WORKER_LOCK_MS, not after a fixed 30 s.
          leaseMs: config.WORKER_LOCK_MS,
          onStepFinished: (runbook, step, state, ms) =>
            metrics.stepDuration.observe({ runbook, step, state }, ms / 1000),
          ...(options.pollMs ? { pollMs: options.pollMs } : {}),
        },
        job.data.runId,
      ),
    {
      ...common,
      concurrency: options.executeConcurrency ?? config.WORKER_CONCURRENCY,
      // A dead worker's job is handed on after the lock lapses; the executor then pauses rather than re-runs.
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: Math.max(500, Math.floor(config.WORKER_LOCK_MS / 2)),
      maxStalledCount: 1000,
    },
  );
  const deliver = new Worker<Payloads['deliver']>(
    'deliver',
    async (job) =>
      deliverStream(
        {
          pool,
          messenger,
          pacer,
          render: ctx.render,
          log,
          onResult: (op, result, ms, status) => {
            metrics.larkApi.observe(
              { op, result, status: String(status ?? (result === 'sent' ? 200 : 0)) },
              ms / 1000,
            );
            metrics.outboxDelivered.inc({ op, result });
          },
          ...(options.deliveryBackoff ? { backoff: options.deliveryBackoff } : {}),
        },
        job.data.stream,
      ),
    {
      ...common,
      connection: redisConnection(config.REDIS_URL),
      concurrency: 8,
      settings: {
        // A busy stream is being drained by another job: look again soon. Lark trouble: capped backoff + jitter.
        backoffStrategy: (attempts: number, _type?: string, error?: Error) =>
          error instanceof StreamBusyError || error?.name === 'StreamBusyError'
            ? 200
            : Math.min(30_000, 500 * 2 ** Math.min(attempts, 10)) * (0.5 + Math.random() / 2),
      },
    },
  );
  const expire = new Worker<Payloads['expire']>('expire', async (job) => expireRun(deps, job.data.runId), {
    ...common,
    connection: redisConnection(config.REDIS_URL),
    concurrency: 2,
  });
  const preflight = new Worker<Payloads['preflight']>(
    'preflight',
    async (job) => preflightRun(stepDeps, job.data.runId),
    { ...common, connection: redisConnection(config.REDIS_URL), concurrency: 4 },
  );
  for (const worker of [execute, deliver, expire, preflight]) {
    worker.on('failed', (job, error) => {
      if (error.name === 'StreamBusyError') return; // expected: another job is draining that stream
      log.warn({ queue: worker.name, jobId: job?.id, err: error.message }, 'job failed');
    });
    worker.on('error', (error) => log.warn({ queue: worker.name, err: error.message }, 'worker error'));
  }
  const sweepTimer = setInterval(() => {
    sweep(pool, queues.jobs, (runId) => expireRun(deps, runId)).catch((error) =>
      log.warn({ err: (error as Error).message }, 'sweep failed'),
    );
  }, options.sweepMs ?? config.SWEEP_INTERVAL_MS);

  return {
    async close(deadlineMs = config.SHUTDOWN_DEADLINE_MS) {
      clearInterval(sweepTimer);
      metricsServer?.close();
      const deadline = setTimeout(() => shutdown.abort(), deadlineMs);
      try {
        await Promise.all([execute.close(), deliver.close(), expire.close(), preflight.close()]);
      } finally {
        clearTimeout(deadline);
      }
      await queues.close();
      await producer.quit().catch(() => producer.disconnect());
    },
  };
}
