import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobPort } from '../runs/ports.js';

/** The one registry of queues and their payloads. */
export interface Payloads {
  execute: { runId: string };
  deliver: { stream: string };
  expire: { runId: string };
  preflight: { runId: string };
}
export type QueueName = keyof Payloads;
export const QUEUE_NAMES: readonly QueueName[] = ['execute', 'deliver', 'expire', 'preflight'];

export function redisConnection(url: string): Redis {
  // BullMQ requires maxRetriesPerRequest: null on connections used by workers; harmless on the others.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export interface Queues {
  queues: { [K in QueueName]: Queue<Payloads[K]> };
  jobs: JobPort;
  close(): Promise<void>;
}

/** Producers for every queue, and the JobPort the domain uses to trigger work. */
export function createQueues(connection: Redis, prefix: string): Queues {
  const make = <K extends QueueName>(name: K) => new Queue<Payloads[K]>(name, { connection, prefix });
  const queues = {
    execute: make('execute'),
    deliver: make('deliver'),
    expire: make('expire'),
    preflight: make('preflight'),
  };
  const jobs: JobPort = {
    async execute(runId) {
      // jobId = run id: a second trigger for the same run (double click, sweep) is a no-op while it exists.
      await queues.execute.add(
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
      await queues.preflight.add(
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
    async expireAt(runId, at) {
      const delay = Math.max(0, at.getTime() - Date.now());
      await queues.expire.add(
        'expire',
        { runId },
        { jobId: `exp-${runId}`, delay, removeOnComplete: true, removeOnFail: true },
      );
    },
  };
  return {
    queues,
    jobs,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
