import { inTransaction } from '../db/pool.js';
import { Owed, patchUuid } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { getApprovals, getSteps } from './run-repo.js';
import { clearWaitingForRunner } from './runners-repo.js';
import { toRunView } from './view.js';

/**
 * A runner came up: the requests that were waiting for one in its pools (Approve withheld) get their card back
 * with Approve; a request still in preflight gets its preflight queued (its job was waiting in the pool's queue).
 */
export async function runnerArrived(
  deps: Pick<RunsDeps, 'pool' | 'jobs' | 'log'>,
  pools: string[],
  targets: string[],
): Promise<number> {
  let owed: Owed | undefined;
  const released = await inTransaction(deps.pool, async (tx) => {
    const rows = await clearWaitingForRunner(tx, pools, targets);
    owed = new Owed(tx);
    for (const row of rows) {
      const view = toRunView(row, await getSteps(tx, row.id), await getApprovals(tx, row.id));
      await owed.runCard(view, row.chat_id, 'patch', patchUuid(row.id));
    }
    return rows.length;
  });
  await owed?.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  return released;
}
