import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobPort } from '../runs/ports.js';
import { withinMs } from '../util/within.js';

/** The one registry of queues and their payloads. */
export interface Payloads {
  execute: { runId: string };
  deliver: { stream: string };
  expire: { runId: string };
  preflight: { runId: string };
  /** A scheduled run's start (issue 14): delayed until its start_at. */
  start: { runId: string };
  /** A `/rollback impact` request (issue 14), on its target's pool. */
  impact: { requestId: string };
}
export type QueueName = keyof Payloads;
export const QUEUE_NAMES: readonly QueueName[] = [
  'execute',
  'deliver',
  'expire',
  'preflight',
  'start',
  'impact',
];

/** The queue of a pool's execute, preflight or impact jobs: the plain name for `default`, so one pool is as before. */
export function poolQueueName(kind: 'execute' | 'preflight' | 'impact', pool: string): string {
  return pool === 'default' ? kind : `${kind}-${pool}`;
}

export function redisConnection(url: string): Redis {
  // BullMQ requires maxRetriesPerRequest: null on connections used by workers; harmless on the others.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Close a Redis connection politely if it can, within `graceMs`; then drop it whatever its state. */
export async function closeConnection(connection: Redis, graceMs: number): Promise<void> {
  if (connection.status === 'ready' && graceMs > 0) {
    await withinMs(
      connection.quit().catch(() => undefined),
      graceMs,
    );
  }
  const wasWaitingToReconnect = connection.status === 'reconnecting';
  connection.disconnect();
  // Between two reconnect attempts there is no socket to close, so ioredis never fails the commands it holds
  // for later: whoever awaits them (a delivery's pacer, holding a Postgres client) would wait forever.
  if (wasWaitingToReconnect) {
    (connection as unknown as { flushQueue(error: Error): void }).flushQueue(
      new Error('Connection is closed.'),
    );
  }
}

/**
 * Triggers that never make their caller wait on Redis: Postgres already holds what is owed (the run's state,
 * the outbox row), so the trigger is started and the caller goes on; the sweep re-triggers whatever a trigger
 * lost. While the connection is lost, triggers are dropped rather than piled up in its offline queue.
 */
export function detachedJobs(
  jobs: JobPort,
  connection: Redis,
  onError: (error: unknown, what: string) => void,
): JobPort {
  const lost = () => ['reconnecting', 'close', 'end'].includes(connection.status);
  const start = (what: string, trigger: () => Promise<void>): Promise<void> => {
    if (lost()) {
      onError(new Error('Connection is closed.'), what);
      return Promise.resolve();
    }
    trigger().catch((error) => onError(error, what));
    return Promise.resolve();
  };
  return {
    execute: (runId) => start('execute', () => jobs.execute(runId)),
    deliver: (stream, outboxId) => start('deliver', () => jobs.deliver(stream, outboxId)),
    expireAt: (runId, at) => start('expire', () => jobs.expireAt(runId, at)),
    preflight: (runId) => start('preflight', () => jobs.preflight(runId)),
    ...(jobs.startAt
      ? {
          startAt: (runId: string, at: Date) =>
            start('start', () => jobs.startAt?.(runId, at) ?? Promise.resolve()),
        }
      : {}),
    ...(jobs.impact
      ? {
          impact: (requestId: string, pool: string) =>
            start('impact', () => jobs.impact?.(requestId, pool) ?? Promise.resolve()),
        }
      : {}),
    ...(jobs.cancelNow
      ? { cancelNow: (runId: string) => start('cancel', () => jobs.cancelNow?.(runId) ?? Promise.resolve()) }
      : {}),
  };
}

export interface Queues {
  queues: { [K in QueueName]: Queue<Payloads[K]> };
  jobs: JobPort;
  /** Close the producers within `graceMs` (a queue whose Redis is gone cannot close politely). */
  close(graceMs?: number): Promise<void>;
}

/** Producers for every queue, and the JobPort the domain uses to trigger work. */
export function createQueues(
  connection: Redis,
  prefix: string,
  onError: (error: Error) => void = () => {},
  /** The runner pool of a run, whose queue its execute and preflight jobs go to. @defaultValue always 'default' */
  poolOf: (runId: string) => Promise<string> = async () => 'default',
): Queues {
  const make = <K extends QueueName>(name: K, queueName: string = name) => {
    const queue = new Queue<Payloads[K]>(queueName, { connection, prefix });
    // Without a listener BullMQ prints every connection error to stderr, one per retry.
    queue.on('error', onError);
    return queue;
  };
  const queues = {
    execute: make('execute'),
    deliver: make('deliver'),
    expire: make('expire'),
    preflight: make('preflight'),
    start: make('start'),
    impact: make('impact'),
  };
  // Other pools' execute and preflight queues, made when a run of that pool is first queued.
  const poolQueues = new Map<string, Queue>();
  // The impact queue's pool is known to its caller; a run's is looked up.
  const queueOf = async <K extends 'execute' | 'preflight' | 'impact'>(
    kind: K,
    runId: string,
    known?: string,
  ) => {
    const pool = known ?? (await poolOf(runId));
    if (pool === 'default') return queues[kind] as unknown as Queue<Payloads[K]>;
    const name = poolQueueName(kind, pool);
    let queue = poolQueues.get(name);
    if (!queue) {
      queue = make(kind, name);
      poolQueues.set(name, queue);
    }
    return queue as Queue<Payloads[K]>;
  };
  const jobs: JobPort = {
    async execute(runId) {
      // jobId = run id: a second trigger for the same run (double click, sweep) is a no-op while it exists.
      await (await queueOf('execute', runId)).add(
        'execute',
        { runId },
        {
          jobId: runId,
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    },
    async deliver(stream, outboxId) {
      await queues.deliver.add(
        'deliver',
        { stream },
        {
          jobId: `ob-${outboxId}`,
          attempts: 1000,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      );
    },
    async preflight(runId) {
      await (await queueOf('preflight', runId)).add(
        'preflight',
        { runId },
        {
          jobId: `pf-${runId}`,
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    },
    async impact(requestId, pool) {
      await (await queueOf('impact', requestId, pool)).add(
        'impact',
        { requestId },
        { jobId: `im-${requestId}`, removeOnComplete: true, removeOnFail: true, attempts: 2 },
      );
    },
    async expireAt(runId, at) {
      const delay = Math.max(0, at.getTime() - Date.now());
      await queues.expire.add(
        'expire',
        { runId },
        { jobId: `exp-${runId}`, delay, removeOnComplete: true, removeOnFail: true },
      );
    },
    async startAt(runId, at) {
      const delay = Math.max(0, at.getTime() - Date.now());
      await queues.start.add(
        'start',
        { runId },
        { jobId: `start-${runId}`, delay, removeOnComplete: true, removeOnFail: true },
      );
    },
  };
  return {
    queues,
    jobs,
    async close(graceMs = 2000) {
      const all = [...Object.values(queues), ...poolQueues.values()];
      await withinMs(Promise.all(all.map((q) => q.close())), graceMs);
    },
  };
}
