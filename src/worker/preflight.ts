import { inEnglish } from '../../cards/i18n.js';
import type { I18nText, PreflightLine } from '../../cards/model.js';
import { parseResultLine, RESULT_LINE_ENV, withoutResultLines } from '../checks/result.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import { renderSteps } from '../runbooks/render.js';
import type { Catalog, ResolvedStep, Runbook, Target } from '../runbooks/types.js';
import { planHashOf } from '../runs/ids.js';
import { Owed, patchUuid } from '../runs/outbox-writer.js';
import { completePreflight, failPreflight } from '../runs/plan-repo.js';
import type { JobPort } from '../runs/ports.js';
import { getApprovals, getRun, getSteps, type RunRow, runStateOf, transition } from '../runs/run-repo.js';
import { toRunView } from '../runs/view.js';
import { inParallel } from '../util/in-parallel.js';
import { runStep } from './run-step.js';
import { requireSecretsOf } from './servable.js';

/**
 * Preflight checks run side by side, at most this many at a time: they are read-only by definition (DESIGN), so
 * independent of each other, and most of their time is a process starting (Python for alembic).
 */
const PREFLIGHT_PARALLEL = 4;

export interface PreflightDeps {
  pool: Pool;
  jobs: JobPort;
  catalog: () => Catalog;
  baseDir: string;
  stepBaseEnv: Record<string, string>;
  log: { warn(o: object, m: string): void };
  /** Aborted on shutdown: running checks are killed and the request is left for the sweep to preflight again. */
  shutdown?: AbortSignal;
  /** How often a running preflight looks whether its request was cancelled meanwhile. @defaultValue 500 */
  pollMs?: number;
}

export interface PreflightResult {
  lines: PreflightLine[];
  observed: string;
}

/** The last lines a person needs from a read-only step's output. */
function summarize(tail: string, ok: boolean, exitCode: number | null): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.slice(-2).join(' · ').slice(0, 400);
  return ok ? text || 'ok' : `${text || 'no output'}${exitCode !== null ? ` (exit ${exitCode})` : ''}`;
}

/**
 * Run the read-only preflight steps (all of them, or only the binding ones) side by side and summarise each;
 * lines and the observed state stay in runbook order. Each keeps its own timeout; `signal` kills them all.
 */
export async function runPreflightSteps(
  deps: PreflightDeps,
  runbook: Runbook,
  target: Target,
  run: Pick<RunRow, 'id' | 'params'>,
  onlyBinding = false,
  signal?: AbortSignal,
): Promise<PreflightResult> {
  const redact = createRedactor(secretsOfTarget(target));
  const steps: ResolvedStep[] = renderSteps(runbook, 'preflight', target, run.params, {
    runId: run.id,
    baseDir: deps.baseDir,
    extraEnv: deps.stepBaseEnv,
  }).filter((s) => !onlyBinding || s.binds);
  const lines = await inParallel(steps, PREFLIGHT_PARALLEL, async (step): Promise<PreflightLine> => {
    const startedAt = new Date().toISOString();
    // A check says its result in both languages on a `::result` line when asked to (see checks/result.ts).
    const env = { ...step.env, [RESULT_LINE_ENV]: '1' };
    const outcome = await runStep({ ...step, env }, { redact, ...(signal ? { signal } : {}) });
    const ok = outcome.status === 'succeeded';
    const result = ok ? parseResultLine(outcome.outputTail) : undefined;
    const detail: string | I18nText =
      result?.text ?? summarize(withoutResultLines(outcome.outputTail), ok, outcome.exitCode);
    return { id: step.id, title: step.title, ok, detail, startedAt, finishedAt: new Date().toISOString() };
  });
  const observed = steps.flatMap((step, i) => {
    const line = lines[i];
    if (!step.binds || !line) return [];
    const seen = inEnglish(line.detail);
    return [`${step.id}=${line.ok ? seen : `failed: ${seen}`}`];
  });
  return { lines, observed: observed.join('\n') };
}

/** Why the preflight failed, for the run's reason (the card shows each failed line in both languages). */
function failureReason(lines: readonly PreflightLine[]): string {
  const failed = lines.filter((l) => !l.ok);
  const said = failed.map((l) => {
    const detail = inEnglish(l.detail);
    return `${l.title['en-US'] || l.id}: ${detail}`;
  });
  return `preflight failed: ${said.join('; ')}`.slice(0, 1000);
}

/**
 * Aborts while the preflight runs if the request leaves `requested` (cancelled, expired) or the worker shuts
 * down, so its checks are killed as a step's would be.
 */
function watchCancel(deps: PreflightDeps, runId: string): { signal: AbortSignal; done(): void } {
  const abort = new AbortController();
  const onShutdown = () => abort.abort();
  deps.shutdown?.addEventListener('abort', onShutdown, { once: true });
  if (deps.shutdown?.aborted) abort.abort();
  // One read at a time, the state alone: a slow Postgres must not pile polls up.
  let timer: NodeJS.Timeout | undefined;
  const poll = () => {
    timer = setTimeout(async () => {
      try {
        if ((await runStateOf(deps.pool, runId)) !== 'requested') abort.abort();
      } catch (error) {
        deps.log.warn({ err: error, runId }, 'preflight: could not read the request');
      }
      if (!abort.signal.aborted && timer !== undefined) poll();
    }, deps.pollMs ?? 500);
  };
  poll();
  return {
    signal: abort.signal,
    done() {
      clearTimeout(timer);
      timer = undefined;
      deps.shutdown?.removeEventListener('abort', onShutdown);
    },
  };
}

/** The preflight job: results onto the approval card, the plan bound to what was observed, Approve offered. */
export async function preflightRun(deps: PreflightDeps, runId: string): Promise<void> {
  const row = await getRun(deps.pool, runId);
  if (row?.state !== 'requested') return;
  const catalog = deps.catalog();
  requireSecretsOf(catalog, row.target_id);
  const runbook = catalog.runbooks.get(row.runbook_id);
  const target = catalog.targets.get(row.target_id);
  if (!runbook || !target) return;
  const stop = watchCancel(deps, runId);
  let result: PreflightResult;
  try {
    result = await runPreflightSteps(deps, runbook, target, row, false, stop.signal);
  } finally {
    stop.done();
  }
  // Cancelled meanwhile (nothing left to record), or shutting down (the sweep preflights it again).
  if (stop.signal.aborted) return;
  const steps = renderSteps(runbook, 'steps', target, row.params, {
    runId,
    baseDir: deps.baseDir,
    extraEnv: deps.stepBaseEnv,
  });
  const hash = planHashOf(runbook.hash, target.id, row.params, steps, result.observed);
  const meta = { ...row.view, preflight: result.lines, observed: result.observed };
  // DESIGN: requested ─preflight failed─▶ failed. The request ends and frees the target in this transaction.
  const failed = result.lines.some((l) => !l.ok);
  let owed: Owed | undefined;
  let queued = false;
  await inTransaction(deps.pool, async (tx) => {
    let updated = failed
      ? await failPreflight(tx, runId, hash, meta, failureReason(result.lines))
      : await completePreflight(tx, runId, hash, meta);
    if (!updated) return;
    // A runbook with `approval: { required: false }` (read-only, e.g. precheck) runs once its preflight passes.
    if (!runbook.approval.required && result.lines.every((l) => l.ok)) {
      const moved = await transition(tx, runId, ['awaiting_approval'], 'queued', { approved_at: new Date() });
      if (moved) [updated, queued] = [moved, true];
    }
    owed = new Owed(tx);
    const view = toRunView(updated, await getSteps(tx, runId), await getApprovals(tx, runId));
    await owed.runCard(view, updated.chat_id, 'patch', patchUuid(runId));
  });
  await owed?.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  if (queued) {
    await deps.jobs
      .execute(runId)
      .catch((error) => deps.log.warn({ err: error }, 'execute not queued; the sweep will queue it'));
  }
}
