import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Context } from '../cli/context.js';
import type { JobPort } from '../runs/ports.js';
import { runnerArrived } from '../runs/runner-wait.js';
import { beat, HEARTBEAT_MS, leave } from '../runs/runners-repo.js';
import { packageVersion } from '../util/paths.js';

export interface RunnerHeartbeat {
  /** This runner's id: host, process and a random suffix (a restarted process is a new runner). */
  id: string;
  stop(): Promise<void>;
}

/**
 * A runner announces itself in Postgres every HEARTBEAT_MS: its pools, its version, and the targets of its pools
 * whose `env` it can fill from its own environment. The approval card and `/rollback targets` read it.
 */
export async function startRunnerHeartbeat(
  ctx: Context,
  pools: string[],
  jobs: JobPort,
): Promise<RunnerHeartbeat> {
  const id = `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const targets = [...ctx.catalog.targets.values()].filter((t) => pools.includes(t.runner ?? 'default'));
  const unused = pools.filter(
    (p) => ![...ctx.catalog.targets.values()].some((t) => (t.runner ?? 'default') === p),
  );
  if (unused.length > 0) {
    ctx.log.warn(
      { pools: unused },
      `no target names runner pool(s) ${unused.join(', ')}: this worker runs none of their steps`,
    );
  }
  for (const t of targets.filter((t) => t.secretsMissing)) {
    ctx.log.error(
      { target: t.id },
      `this runner cannot run target ${t.id}: ${t.secretsMissing} in its environment; it leaves it to the pool's other runners`,
    );
  }
  const record = {
    id,
    host: hostname(),
    pools,
    version: packageVersion(),
    targets: targets.filter((t) => !t.unavailable && !t.secretsMissing).map((t) => t.id),
  };
  let failing = false;
  const once = async () => {
    try {
      await beat(ctx.pool, record);
      // Every beat, not only the first: a request read "no runner" while this runner was between beats (or this
      // runner missed beats long enough to look gone) gets Approve back at the next beat. The UPDATE touches only
      // runs still flagged, so a beat with nothing waiting costs one indexed scan.
      await runnerArrived({ pool: ctx.pool, jobs, log: ctx.log }, pools, record.targets);
      if (failing) ctx.log.info('runner heartbeat recorded again');
      failing = false;
    } catch (error) {
      // Missed beats make this runner look gone (Approve withheld on its targets' cards): worth a warning, once.
      if (!failing) ctx.log.warn({ err: (error as Error).message }, 'runner heartbeat not recorded');
      failing = true;
    }
  };
  // Announced before the worker takes jobs: a request made once `startWorker` returns sees a runner.
  await once();
  const timer = setInterval(once, HEARTBEAT_MS);
  timer.unref();
  return {
    id,
    async stop() {
      clearInterval(timer);
      await leave(ctx.pool, id).catch(() => {});
    },
  };
}
