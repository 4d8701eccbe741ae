import type { Catalog } from '../runbooks/types.js';

/**
 * A runner without a target's secrets (see Target.secretsMissing) takes no lease and fails the job: BullMQ
 * retries it with backoff, on whichever runner of the pool's queue asks first, and once the retries are spent
 * the sweep queues it again. The heartbeat already leaves such targets out of what this runner serves, so the
 * card never counts it. (A run of another pool never reaches this runner: its jobs go to its pool's queues, and
 * the lease refuses it besides.)
 */
export function requireSecretsOf(catalog: Catalog, targetId: string): void {
  const target = catalog.targets.get(targetId);
  if (target?.secretsMissing) {
    throw new Error(
      `this runner cannot run target ${target.id}: ${target.secretsMissing} in its environment`,
    );
  }
}
