import { type Job, Worker } from 'bullmq';
import type { Context } from '../cli/context.js';
import { runsDeps } from '../cli/context.js';
import { createLarkMessenger, type LarkMessenger } from '../lark/client.js';
import { deliverStream, StreamBusyError } from '../lark/outbox-delivery.js';
import { createRedisPacer } from '../lark/pacer.js';
import { expireRun } from '../runs/decide.js';
import { runnerPoolOf } from '../runs/run-repo.js';
import { startScheduled, sweepSchedule } from '../runs/schedule.js';
import { createDependencyMonitor, watchPostgres } from '../util/dependencies.js';
import { createMetrics, serveMetrics } from '../util/metrics.js';
import { withinMs } from '../util/within.js';
import { executeRun } from './execute.js';
import { analyseImpact } from './impact.js';
import { createJobTracker } from './job-tracker.js';
import { preflightRun } from './preflight.js';
import {
  closeConnection,
  createQueues,
  detachedJobs,
  type Payloads,
  poolQueueName,
  redisConnection,
} from './queues.js';
import { startRunnerHeartbeat } from './runner-heartbeat.js';
import { sweep } from './sweep.js';

/** SIGTERM → SIGKILL grace of a killed step's process group (spawn-step's default). */
const STEP_KILL_GRACE_MS = 3000;
/** Once the jobs are done, how long closing queues and connections may take (each phase). */
const CLOSE_GRACE_MS = 2000;

/**
 * When a worker process has exited at the latest after SIGTERM, whatever state Redis, Postgres and Lark are
 * in: the deadline, a killed step's grace, closing (close() ends by then), and a little for the pool.
 */
export function shutdownBoundMs(deadlineMs: number): number {
  return deadlineMs + STEP_KILL_GRACE_MS + 2 * CLOSE_GRACE_MS + 1000;
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
  /** Runner pools whose runs this worker executes. @defaultValue WORKER_POOLS */
  pools?: string[];
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
  const redisError = (error: Error, fields: object, msg: string) =>
    health.classify(error, 'redis')
      ? health.failed('redis', error)
      : log.warn({ ...fields, err: error.message }, msg);
  const queues = createQueues(
    producer,
    config.QUEUE_PREFIX,
    (error) => redisError(error, {}, 'queue error'),
    (runId) => runnerPoolOf(pool, runId),
  );
  const pools = options.pools ?? config.WORKER_POOLS;
  // Triggers never hold up a step, a shutdown or a sweep while Redis is gone; the sweep catches what they lose.
  const jobs = detachedJobs(queues.jobs, producer, (error, what) =>
    log.warn({ err: (error as Error).message, job: what }, 'trigger not queued; the sweep will queue it'),
  );
  const deps = runsDeps(ctx, jobs);
  const runner = await startRunnerHeartbeat(ctx, pools, jobs);
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

  const jobsInHand = createJobTracker();
  const tracked = jobsInHand.track;

  // What the step-running processors (execute, preflight) share.
  const stepDeps = {
    runnerId: runner.id,
    pools,
    pool,
    jobs,
    catalog: () => ctx.catalog,
    baseDir: ctx.baseDir,
    stepBaseEnv: ctx.stepBaseEnv,
    log,
  };
  // One execute and one preflight worker per pool this runner serves.
  const executeWorker = (queueName: string) =>
    new Worker<Payloads['execute']>(
      queueName,
      tracked('steps', async (job: Job<Payloads['execute']>) =>
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
  const execute = pools.map((p) => executeWorker(poolQueueName('execute', p)));
  const deliver = new Worker<Payloads['deliver']>(
    'deliver',
    tracked('other', async (job: Job<Payloads['deliver']>) =>
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
    tracked('other', async (job: Job<Payloads['expire']>) => expireRun(deps, job.data.runId)),
    { ...common, connection: connect(), concurrency: 2 },
  );
  const preflight = pools.map(
    (p) =>
      new Worker<Payloads['preflight']>(
        poolQueueName('preflight', p),
        tracked('steps', async (job: Job<Payloads['preflight']>) =>
          preflightRun(
            { ...stepDeps, shutdown: shutdown.signal, ...(options.pollMs ? { pollMs: options.pollMs } : {}) },
            job.data.runId,
          ),
        ),
        { ...common, connection: connect(), concurrency: 4 },
      ),
  );
  const start = new Worker<Payloads['start']>(
    'start',
    tracked('other', async (job: Job<Payloads['start']>) => startScheduled(deps, job.data.runId)),
    { ...common, connection: connect(), concurrency: 2 },
  );
  // `/rollback impact` (issue 14) runs alembic and queries the target's database: on the target's own pool.
  const impact = pools.map(
    (p) =>
      new Worker<Payloads['impact']>(
        poolQueueName('impact', p),
        tracked('steps', async (job: Job<Payloads['impact']>) => analyseImpact(stepDeps, job.data.requestId)),
        { ...common, connection: connect(), concurrency: 2 },
      ),
  );
  const workers = [...execute, deliver, expire, ...preflight, start, ...impact];
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      if (error.name === 'StreamBusyError') return; // expected: another job is draining that stream
      log.warn({ queue: worker.name, jobId: job?.id, err: error.message }, 'job failed');
    });
    worker.on('error', (error) => redisError(error, { queue: worker.name }, 'worker error'));
  }
  let sweeping = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return; // one at a time: a slow Postgres must not pile sweeps up
    sweeping = true;
    sweep(
      pool,
      jobs,
      (runId) => expireRun(deps, runId),
      () => sweepSchedule(deps),
      Math.max(2000, 2 * (options.sweepMs ?? config.SWEEP_INTERVAL_MS)),
    )
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
      // 1. The steps: done, or killed at the deadline and recorded. BullMQ's close also waits for Redis to take
      // the jobs' results, which with Redis gone never happens: ours waits for our own processors.
      await withinMs(
        Promise.race([closing, jobsInHand.idle('steps')]),
        deadlineMs + STEP_KILL_GRACE_MS + CLOSE_GRACE_MS,
      );
      if (!jobsInHand.isIdle('steps'))
        log.warn(
          { active: jobsInHand.active() },
          'shutdown: steps still running past the deadline; leaving them',
        );
      // Only once its steps are done (or left) does this runner stop counting as live for its pools' cards.
      await runner.stop();
      log.info({ active: jobsInHand.active() }, 'shutdown: closing queues and connections');
      // 2. Close politely what can be, within a grace: nothing waits on a Redis that is gone.
      const redisUp = producer.status === 'ready';
      await withinMs(
        (async () => {
          if (redisUp) await closing;
          await queues.close(CLOSE_GRACE_MS);
        })(),
        redisUp ? CLOSE_GRACE_MS / 2 : 0,
      );
      // 3. Drop the connections: whatever still waits on Redis fails now, and lets go of its Postgres client.
      await Promise.all(connections.map((c) => closeConnection(c, redisUp ? CLOSE_GRACE_MS / 2 : 0)));
      await withinMs(jobsInHand.idle('all'), CLOSE_GRACE_MS);
      // Only now: a step BullMQ handed out while closing is still killed at the deadline.
      clearTimeout(deadline);
      log.info({ active: jobsInHand.active() }, 'shutdown: worker closed');
      health.close();
    },
  };
}
