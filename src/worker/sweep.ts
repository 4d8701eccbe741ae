import type { Pool } from '../db/pool.js';
import { pruneInboundEvents } from '../runs/events-repo.js';
import { stalePendingStreams } from '../runs/outbox-repo.js';
import type { JobPort } from '../runs/ports.js';
import { overdueRequests, queuedRuns, runsWithLapsedLease, stalledPreflights } from '../runs/sweep-repo.js';

/**
 * Re-trigger whatever Postgres says is owed but Redis may have lost: undelivered outbox rows, approved runs
 * with no execute job, runs whose worker stopped renewing its lease, and requests past their deadline. Safe to run at any time, from any worker: every
 * trigger is idempotent (job ids, guarded transitions).
 */
export async function sweep(
  pool: Pool,
  jobs: JobPort,
  expire: (runId: string) => Promise<unknown>,
  /** Scheduled runs (issue 14): reminders owed and starts whose delayed job was lost. */
  schedule?: () => Promise<unknown>,
): Promise<{
  streams: number;
  queued: number;
  expired: number;
}> {
  const streams = await stalePendingStreams(pool, 2000);
  await Promise.all(
    streams.map((stream) =>
      jobs.deliver(stream, `sweep-${stream.replace(/:/g, '-')}-${Math.floor(Date.now() / 5000)}`),
    ),
  );
  const queued = [...(await queuedRuns(pool)), ...(await runsWithLapsedLease(pool))];
  await Promise.all(queued.map((runId) => jobs.execute(runId)));
  await Promise.all((await stalledPreflights(pool)).map((runId) => jobs.preflight(runId)));
  const overdue = await overdueRequests(pool);
  for (const runId of overdue) await expire(runId);
  if (schedule) await schedule();
  if (Math.random() < 0.01) await pruneInboundEvents(pool);
  return { streams: streams.length, queued: queued.length, expired: overdue.length };
}
