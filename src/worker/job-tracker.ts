/** What a worker process is busy with: `steps` run steps (their end must be recorded); `other` deliver or expire. */
export type JobGroup = 'steps' | 'other';

/**
 * Counts the jobs this process is processing, so that shutdown knows when they are done without asking Redis
 * (BullMQ's own close waits for Redis to take each job's result, which never happens while Redis is gone).
 */
export interface JobTracker {
  /** Wrap a processor so that it is counted in `group` while it runs. */
  track<A, R>(group: JobGroup, processor: (arg: A) => Promise<R>): (arg: A) => Promise<R>;
  isIdle(group: JobGroup | 'all'): boolean;
  /** Resolves once nothing in `group` runs. */
  idle(group: JobGroup | 'all'): Promise<void>;
  active(): Record<JobGroup, number>;
}

export function createJobTracker(): JobTracker {
  const active: Record<JobGroup, number> = { steps: 0, other: 0 };
  const waiting: { group: JobGroup | 'all'; done: () => void }[] = [];
  const isIdle = (group: JobGroup | 'all') =>
    group === 'all' ? active.steps + active.other === 0 : active[group] === 0;
  return {
    track: (group, processor) => async (arg) => {
      active[group] += 1;
      try {
        return await processor(arg);
      } finally {
        active[group] -= 1;
        for (const w of waiting.filter((w) => isIdle(w.group))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.done();
        }
      }
    },
    isIdle,
    idle: (group) =>
      isIdle(group) ? Promise.resolve() : new Promise<void>((done) => waiting.push({ group, done })),
    active: () => ({ ...active }),
  };
}
