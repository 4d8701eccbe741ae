import { inTransaction, type PoolClient } from '../db/pool.js';
import { Owed, patchUuid } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { getApprovals, getSteps, type RunRow } from './run-repo.js';
import { clearWaitingForRunner, flagQueuedWithoutRunner } from './runners-repo.js';
import { toRunView } from './view.js';

type Deps = Pick<RunsDeps, 'pool' | 'jobs' | 'log'>;

/** Change some runs' waiting-for-a-runner flag and patch their cards; how many changed. */
async function patchCards(deps: Deps, change: (tx: PoolClient) => Promise<RunRow[]>): Promise<number> {
  let owed: Owed | undefined;
  const changed = await inTransaction(deps.pool, async (tx) => {
    const rows = await change(tx);
    owed = new Owed(tx);
    for (const row of rows) {
      const view = toRunView(row, await getSteps(tx, row.id), await getApprovals(tx, row.id));
      await owed.runCard(view, row.chat_id, 'patch', patchUuid(row.id));
    }
    return rows.length;
  });
  await owed?.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  return changed;
}

/**
 * A runner came up: the runs that were waiting for one in its pools get their card back (Approve offered again,
 * or the waiting note gone from an approved run, which its pool's queue now hands to the runner).
 */
export function runnerArrived(deps: Deps, pools: string[], targets: string[]): Promise<number> {
  return patchCards(deps, (tx) => clearWaitingForRunner(tx, pools, targets));
}

/** Approved runs that no live runner can take after `afterMs`: their card says they wait for one (the sweep). */
export function flagRunsWithoutRunner(deps: Deps, afterMs = 10_000): Promise<number> {
  return patchCards(deps, (tx) => flagQueuedWithoutRunner(tx, afterMs));
}
