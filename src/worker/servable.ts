import type { Pool } from '../db/pool.js';
import type { Catalog } from '../runbooks/types.js';
import { getRun } from '../runs/run-repo.js';

/**
 * A runner without a target's secrets (see Target.secretsMissing), or of another pool (the target moved pools
 * after the job was queued), takes no lease and fails the job: BullMQ retries it with backoff, on whichever
 * runner of the pool's queue asks first, and once the retries are spent the sweep queues it again. The heartbeat
 * already leaves such targets out of what this runner serves, so the card never counts it.
 */
export async function requireServable(
  deps: { pool: Pool; catalog: () => Catalog; pools?: string[] },
  runId: string,
): Promise<void> {
  const row = await getRun(deps.pool, runId);
  if (!row) return;
  if (deps.pools && !deps.pools.includes(row.runner_pool)) {
    throw new Error(
      `this runner serves pool(s) ${deps.pools.join(', ')}, not ${row.runner_pool} (run ${runId})`,
    );
  }
  const target = deps.catalog().targets.get(row.target_id);
  if (target?.secretsMissing) {
    throw new Error(
      `this runner cannot run target ${target.id}: ${target.secretsMissing} in its environment`,
    );
  }
}
