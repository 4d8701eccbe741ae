import type { I18nText } from '../../cards/model.js';
import { targetsText } from '../commands/targets-reply.js';
import type { PoolClient } from '../db/pool.js';
import type { RunsDeps } from './ports.js';
import { lastRunsOfTargets, liveRunners } from './runners-repo.js';
import { targetsOfChat } from './target-policy.js';

/** `/rollback targets`: the targets usable in this chat, their pool's live runners, their last run. */
export async function targetsOverview(
  deps: RunsDeps,
  tx: PoolClient,
  chatId: string,
  timezone: string,
): Promise<I18nText> {
  const targets = targetsOfChat(deps.policy, deps.catalog(), chatId);
  const runners = await liveRunners(tx);
  const last = new Map(
    (
      await lastRunsOfTargets(
        tx,
        targets.map((t) => t.id),
      )
    ).map((r) => [r.target_id, r]),
  );
  return targetsText(
    targets.map((target) => {
      const pool = target.runner ?? 'default';
      const environment = target.vars.environment;
      const run = last.get(target.id);
      return {
        id: target.id,
        isDefault: target.default,
        ...(typeof environment === 'string' ? { environment } : {}),
        pool,
        ...(target.unavailable ? { unavailable: target.unavailable } : {}),
        runners: runners
          .filter((r) => r.pools.includes(pool) && r.targets.includes(target.id))
          .map((r) => r.host),
        ...(run
          ? {
              lastRun: {
                id: run.id,
                runbook: run.runbook_id,
                state: run.state,
                createdAt: new Date(run.created_at),
              },
            }
          : {}),
      };
    }),
    timezone,
  );
}
