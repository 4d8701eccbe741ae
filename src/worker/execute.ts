import type { StepState } from '../../cards/model.js';
import { RESULT_LINE_ENV } from '../checks/result.js';
import type { Pool } from '../db/pool.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import { renderSteps } from '../runbooks/render.js';
import type { Catalog, ResolvedStep } from '../runbooks/types.js';
import { acquireLease, cancelRequested, releaseLease, renewLease } from '../runs/exec-repo.js';
import { planHashOf } from '../runs/ids.js';
import type { JobPort } from '../runs/ports.js';
import { getRun, getSteps, type RunRow } from '../runs/run-repo.js';
import { runPreflightSteps } from './preflight.js';
import { runStep } from './run-step.js';
import { requireSecretsOf } from './servable.js';
import type { StepOutcome } from './spawn-step.js';
import { stepSaid } from './step-result.js';
import { RunRecorder } from './transitions.js';

export interface ExecuteDeps {
  pool: Pool;
  jobs: JobPort;
  catalog: () => Catalog;
  baseDir: string;
  stepBaseEnv: Record<string, string>;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  /** This runner's id, recorded on every step it runs. */
  runnerId?: string;
  /** The runner pools this worker serves: it never takes a run of another pool. @defaultValue any pool */
  pools?: string[];
  /** How often a running step checks for cancel-now and renews its lease. @defaultValue 500 */
  pollMs?: number;
  /** Lease length; renewed while a step runs. @defaultValue 30000 */
  leaseMs?: number;
  /** Aborted on shutdown: the running step is killed and recorded interrupted. */
  shutdown?: AbortSignal;
  onStepFinished?: (runbookId: string, stepId: string, state: StepState, ms: number) => void;
  now?: () => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setTimeout(stop, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });

/**
 * Execute a run's steps in order under a fenced lease. Step states live in Postgres, so a second attempt
 * (a crashed worker's job handed on) skips finished steps, re-runs an interrupted idempotent step, and pauses
 * on an interrupted non-idempotent one: it is never re-run without a person's Retry.
 */
export async function executeRun(deps: ExecuteDeps, runId: string): Promise<void> {
  const leaseMs = deps.leaseMs ?? 30_000;
  const row = await getRun(deps.pool, runId);
  if (!row) return;
  requireSecretsOf(deps.catalog(), row.target_id);
  const run = await acquireLease(deps.pool, runId, leaseMs, deps.pools);
  if (!run) return; // not queued, nor running with a lapsed lease: ended, never approved, or a live attempt has it
  const lease = keepLease(deps, runId, run.lease_token, leaseMs);
  try {
    await executeAttempt(deps, run, lease.lost);
  } catch (error) {
    lease.stop();
    await releaseLease(deps.pool, runId, run.lease_token).catch(() => {});
    throw error;
  } finally {
    lease.stop();
  }
}

/**
 * Renew the lease for as long as this attempt lives, between steps too (a delivery trigger may wait on Redis
 * for a while): it lapses only when this worker is gone or cannot reach Postgres, and only then does the sweep
 * hand the run on. `lost` fires if another attempt took the run over: the running step is then stopped, so a
 * step the new owner recorded as interrupted is not left running behind its back.
 */
function keepLease(
  deps: ExecuteDeps,
  runId: string,
  token: string,
  leaseMs: number,
): { lost: AbortSignal; stop(): void } {
  const lost = new AbortController();
  const stopped = new AbortController();
  void (async () => {
    while (!stopped.signal.aborted && !lost.signal.aborted) {
      await sleep(deps.pollMs ?? 500, stopped.signal);
      if (stopped.signal.aborted) break;
      try {
        if (!(await renewLease(deps.pool, runId, token, leaseMs)) && !stopped.signal.aborted) {
          // Not running any more under our token is this attempt's own doing (it ended the run); a new token
          // means another attempt took the run over (and may already have recorded our step interrupted).
          const now = await getRun(deps.pool, runId);
          if (now && String(now.lease_token) !== String(token)) {
            deps.log.warn({ runId }, 'lease taken over by another attempt; stopping this one');
            lost.abort();
          }
        }
      } catch (error) {
        deps.log.warn({ err: error, runId }, 'lease renewal failed');
      }
    }
  })();
  return { lost: lost.signal, stop: () => stopped.abort() };
}

async function executeAttempt(
  deps: ExecuteDeps,
  run: RunRow & { previous_lease_expires_at?: Date | null },
  leaseLost: AbortSignal,
): Promise<void> {
  const runId = run.id;
  const rec = new RunRecorder(
    deps.pool,
    deps.jobs,
    runId,
    run.lease_token,
    (error) => deps.log.warn({ err: error, runId }, 'delivery trigger failed; the sweep will retry'),
    deps.runnerId,
  );
  const catalog = deps.catalog();
  const runbook = catalog.runbooks.get(run.runbook_id);
  const target = catalog.targets.get(run.target_id);
  let steps: ResolvedStep[] = [];
  let drift: string | undefined;
  if (!runbook || !target || runbook.hash !== run.runbook_hash)
    drift = 'the runbook changed since it was approved';
  else {
    steps = renderSteps(runbook, 'steps', target, run.params, {
      runId,
      baseDir: deps.baseDir,
      extraEnv: deps.stepBaseEnv,
    });
    const hash = planHashOf(runbook.hash, target.id, run.params, steps, run.view.observed);
    if (hash !== run.plan_hash) drift = 'the rendered commands differ from the approved plan';
  }
  if (drift || !target || !runbook) {
    await rec.finished('failed', `plan drift: ${drift}`);
    return;
  }
  const redact = createRedactor(secretsOfTarget(target));
  const rows = await getSteps(deps.pool, runId);
  if (rows.every((r) => r.state === 'pending')) {
    // Before anything runs: is the world still what the approvers saw? (Checked here, not just before the first
    // mutating step, because a runbook's own earlier steps may legitimately change it: the drill upgrades first.)
    if (runbook.preflight.some((s) => s.binds)) {
      const now = await runPreflightSteps(deps, runbook, target, run, true);
      if (now.observed !== (run.view.observed ?? '')) {
        await rec.rebind(runbook, target, run, steps, now, deps.now?.() ?? Date.now());
        return;
      }
    }
    await rec.started();
  }

  for (const step of steps) {
    const row = rows[step.idx];
    if (!row || row.state === 'succeeded' || row.state === 'skipped') continue;
    let from: StepState[] = ['pending'];
    // Set when this re-runs an idempotent step whose worker was lost: the thread says so before "started".
    let interruptedAt: Date | undefined;
    if (row.state === 'running') {
      if (!row.idempotent) {
        const at = row.started_at ? new Date(row.started_at).toISOString() : 'unknown time';
        await rec.stepFinished(step.idx, { state: 'interrupted', exitCode: null, outputTail: null });
        await rec.finished(
          'paused',
          `step ${step.id} was interrupted (started ${at}); it is not idempotent, so it was not re-run`,
        );
        return;
      }
      from = ['running'];
      interruptedAt = new Date(run.previous_lease_expires_at ?? deps.now?.() ?? Date.now());
    } else if (row.state === 'failed' || row.state === 'timed_out') {
      // An earlier attempt recorded the failure but died before ending the run: end it, never go past it.
      await rec.finished('failed', `step ${step.id} ${row.state === 'timed_out' ? 'timed out' : 'failed'}`);
      return;
    } else if (row.state === 'interrupted' || row.state === 'cancelled') {
      await rec.finished('paused', `step ${step.id} was ${row.state}; it needs a person's decision`);
      return;
    } else if (row.state !== 'pending') {
      continue;
    }
    const cancel = await cancelRequested(deps.pool, runId);
    if (cancel) {
      await rec.finished('cancelled', 'cancelled before this step');
      return;
    }
    if (step.skip && row.state === 'pending') {
      // The runbook's `when` does not hold for this run's parameters: nothing is spawned.
      const skipped = await rec.stepSkipped(step.idx, step.skip);
      if (!skipped)
        return deps.log.warn({ runId, step: step.id }, 'lease lost; another attempt owns this run');
      deps.onStepFinished?.(run.runbook_id, step.id, 'skipped', 0);
      continue;
    }
    const started = await rec.stepStarted(step.idx, from, interruptedAt);
    if (!started) return deps.log.warn({ runId, step: step.id }, 'lease lost; another attempt owns this run');
    const outcome = await runWithRetries(deps, runId, step, redact, leaseLost);
    const said = stepSaid(outcome.shutdown ? 'interrupted' : outcome.status, outcome.outputTail, redact);
    const state = said.state;
    deps.onStepFinished?.(run.runbook_id, step.id, state, outcome.durationMs);
    const finished = await rec.stepFinished(step.idx, {
      state,
      exitCode: outcome.exitCode,
      outputTail: said.outputTail || null,
      result: said.result ?? null,
    });
    if (!finished) return deps.log.warn({ runId, step: step.id }, 'lease lost while the step ran');
    if (state === 'interrupted') {
      await rec.finished('paused', `step ${step.id} was interrupted by a worker shutdown`);
      return;
    }
    if (state === 'cancelled') {
      await rec.finished('cancelled', `cancelled during step ${step.id}`);
      return;
    }
    if (state !== 'succeeded' && state !== 'skipped') {
      await rec.finished(
        'failed',
        `step ${step.id} ${state === 'timed_out' ? 'timed out' : `failed with exit code ${outcome.exitCode}`}`,
      );
      return;
    }
  }
  await rec.finished('succeeded', null);
}

/** Run a step (with its retries), watching for cancel-now and shutdown, renewing the lease meanwhile. */
async function runWithRetries(
  deps: ExecuteDeps,
  runId: string,
  step: ResolvedStep,
  redact: (text: string) => string,
  leaseLost: AbortSignal,
): Promise<StepOutcome & { shutdown: boolean }> {
  const attempts = step.retry?.attempts ?? 1;
  const abort = new AbortController();
  let shutdown = false;
  const onShutdown = () => {
    shutdown = true;
    abort.abort();
  };
  const onLeaseLost = () => abort.abort();
  deps.shutdown?.addEventListener('abort', onShutdown, { once: true });
  leaseLost.addEventListener('abort', onLeaseLost, { once: true });
  if (leaseLost.aborted) abort.abort();
  const watcher = (async () => {
    while (!abort.signal.aborted) {
      await sleep(deps.pollMs ?? 500, abort.signal);
      if (abort.signal.aborted) break;
      try {
        if ((await cancelRequested(deps.pool, runId)) === 'now') abort.abort();
      } catch (error) {
        deps.log.warn({ err: error, runId }, 'cancel poll failed');
      }
    }
  })();
  try {
    let outcome: StepOutcome | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Checks then end their output with a `::result` line: their result in both languages, or `skipped`.
      const env = { ...step.env, [RESULT_LINE_ENV]: '1' };
      outcome = await runStep({ ...step, env }, { redact, signal: abort.signal });
      if (outcome.status !== 'failed' && outcome.status !== 'timed_out') break;
      if (attempt < attempts) await sleep(step.retry?.everyMs ?? 0, abort.signal);
      if (abort.signal.aborted) break;
    }
    if (!outcome) throw new Error('a step ran zero times');
    return { ...outcome, shutdown };
  } finally {
    deps.shutdown?.removeEventListener('abort', onShutdown);
    leaseLost.removeEventListener('abort', onLeaseLost);
    abort.abort();
    await watcher;
  }
}
