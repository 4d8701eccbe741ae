import { type Job, Worker } from 'bullmq';
import type { Context } from '../cli/context.js';
import { runsDeps } from '../cli/context.js';
import { createLarkMessenger, type LarkMessenger } from '../lark/client.js';
import { deliverStream, StreamBusyError } from '../lark/outbox-delivery.js';
import { createRedisPacer } from '../lark/pacer.js';
import { expireRun } from '../runs/decide.js';
import { createDependencyMonitor, watchPostgres } from '../util/dependencies.js';
import { createMetrics, serveMetrics } from '../util/metrics.js';
import { executeRun } from './execute.js';
import { preflightRun } from './preflight.js';
import {
  closeConnection,
  createQueues,
  detachedJobs,
  type Payloads,
  redisConnection,
  withinMs,
} from './queues.js';
import { sweep } from './sweep.js';

/** SIGTERM → SIGKILL grace of a killed step's process group (spawn-step's default). */
const STEP_KILL_GRACE_MS = 3000;
/** Once the jobs are done, how long closing queues and connections may take (each phase). */
const CLOSE_GRACE_MS = 2000;

/**
 * The longest a worker's close() takes for a given deadline, whatever state Redis, Postgres and Lark are in:
 * the deadline, a killed step's grace, then closing. The process exits after this plus a little in any case.
 */
export function shutdownBoundMs(deadlineMs: number): number {
  return deadlineMs + STEP_KILL_GRACE_MS + 2 * CLOSE_GRACE_MS;
}

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
  const health = createDependencyMonitor(log, {
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
  });
  const connections: ReturnType<typeof redisConnection>[] = [];
  const connect = () => {
    const connection = redisConnection(config.REDIS_URL);
    connection.on('error', (error) => health.failed('redis', error));
    connection.on('ready', () => health.ok('redis'));
    connections.push(connection);
    return connection;
  };
  const producer = connect();
  const stopWatching = watchPostgres(health, () => pool.query('SELECT 1'));
  const queues = createQueues(producer, config.QUEUE_PREFIX);
  // Triggers never hold up a step, a shutdown or a sweep while Redis is gone; the sweep catches what they lose.
  const jobs = detachedJobs(queues.jobs, producer, (error, what) =>
    log.warn({ err: (error as Error).message, job: what }, 'trigger not queued; the sweep will queue it'),
  );
  const deps = runsDeps(ctx, jobs);
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
    ? await serveMetrics(metrics, config.WORKER_METRICS_PORT, () => health.states())
    : undefined;
  const common = { prefix: config.QUEUE_PREFIX, connection: connect() };

  // Jobs being processed, so that close() knows when they are done without asking Redis.
  let active = 0;
  const onIdle: (() => void)[] = [];
  const tracked =
    <A, R>(processor: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      active += 1;
      try {
        return await processor(arg);
      } finally {
        active -= 1;
        if (active === 0) for (const done of onIdle.splice(0)) done();
      }
    };
  const idle = () => (active === 0 ? Promise.resolve() : new Promise<void>((done) => onIdle.push(done)));

  // What the step-running processors (execute, preflight) share.
  const stepDeps = {
    pool,
    jobs,
    catalog: () => ctx.catalog,
    baseDir: ctx.baseDir,
    stepBaseEnv: ctx.stepBaseEnv,
    log,
  };
  const execute = new Worker<Payloads['execute']>(
    'execute',
    tracked(async (job: Job<Payloads['execute']>) =>
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
    tracked(async (job: Job<Payloads['deliver']>) =>
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
    ),
    {
      ...common,
      connection: connect(),
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
  const expire = new Worker<Payloads['expire']>(
    'expire',
    tracked(async (job: Job<Payloads['expire']>) => expireRun(deps, job.data.runId)),
    { ...common, connection: connect(), concurrency: 2 },
  );
  const preflight = new Worker<Payloads['preflight']>(
    'preflight',
    tracked(async (job: Job<Payloads['preflight']>) => preflightRun(stepDeps, job.data.runId)),
    { ...common, connection: connect(), concurrency: 4 },
  );
  const workers = [execute, deliver, expire, preflight];
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      if (error.name === 'StreamBusyError') return; // expected: another job is draining that stream
      log.warn({ queue: worker.name, jobId: job?.id, err: error.message }, 'job failed');
    });
    worker.on('error', (error) => log.warn({ queue: worker.name, err: error.message }, 'worker error'));
  }
  let sweeping = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return; // one at a time: a slow Postgres must not pile sweeps up
    sweeping = true;
    sweep(pool, jobs, (runId) => expireRun(deps, runId))
      .catch((error) => log.warn({ err: (error as Error).message }, 'sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, options.sweepMs ?? config.SWEEP_INTERVAL_MS);

  return {
    async close(deadlineMs = config.SHUTDOWN_DEADLINE_MS) {
      clearInterval(sweepTimer);
      stopWatching();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      // A step still running at the deadline is killed and recorded interrupted (in Postgres, if it is up).
      const deadline = setTimeout(() => shutdown.abort(), deadlineMs);
      const closing = Promise.allSettled(workers.map((w) => w.close()));
      // BullMQ's close waits for Redis to take the jobs' results: with Redis gone it never returns. Ours ends
      // once our processors are done (plus a grace), and in any case after the deadline and a killed step's grace.
      await withinMs(
        Promise.race([closing, idle().then(() => withinMs(closing, CLOSE_GRACE_MS))]),
        deadlineMs + STEP_KILL_GRACE_MS + CLOSE_GRACE_MS,
      );
      clearTimeout(deadline);
      if (active > 0) log.warn({ active }, 'shutdown: jobs still running past the deadline; leaving them');
      await queues.close(CLOSE_GRACE_MS);
      await Promise.all(connections.map((c) => closeConnection(c, CLOSE_GRACE_MS)));
      health.close();
    },
  };
}
