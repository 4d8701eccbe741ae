import type { Pool } from '../db/pool.js';
import { pruneInboundEvents } from '../runs/events-repo.js';
import { stalledImpactRequests } from '../runs/impact-repo.js';
import { answerUnanswerableImpacts } from '../runs/impact-request.js';
import { stalePendingStreams } from '../runs/outbox-repo.js';
import type { JobPort } from '../runs/ports.js';
import { flagRunsWithoutRunner } from '../runs/runner-wait.js';
import { overdueRequests, queuedRuns, runsWithLapsedLease, stalledPreflights } from '../runs/sweep-repo.js';

/** The sweep reports its own failure as a whole; a failed delivery trigger is re-tried by the next sweep. */
const silentLog = { warn: () => {}, error: () => {} };

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
  /** How long an approved run may wait for a runner before its card says so. @defaultValue 10 s */
  runnerWaitMs = 10_000,
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
  // `/rollback impact` requests whose job Redis lost (issue 14).
  if (jobs.impact) {
    const impact = jobs.impact;
    await Promise.all((await stalledImpactRequests(pool)).map((r) => impact(r.id, r.pool)));
    // …and those no live runner can answer any more: the asker is told, once.
    await answerUnanswerableImpacts({ pool, jobs, log: silentLog }, runnerWaitMs);
  }
  // Approved runs no live runner can take: their card says which pool to start (once per run).
  await flagRunsWithoutRunner({ pool, jobs, log: silentLog }, runnerWaitMs);
  const overdue = await overdueRequests(pool);
  for (const runId of overdue) await expire(runId);
  if (schedule) await schedule();
  if (Math.random() < 0.01) await pruneInboundEvents(pool);
  return { streams: streams.length, queued: queued.length, expired: overdue.length };
}
