import { runCheck } from '../checks/run.js';
import { cwdProblem } from '../util/process-group.js';
import type { SpawnableStep, SpawnStepOptions, StepOutcome, StepOutcomeStatus } from './spawn-step.js';
import { OutputTail, renderTail } from './spawn-tail.js';

/**
 * A `{{bot.check}}` step run inside the worker: the same check code `rollback-bot check` runs, without starting
 * a Node process for it (90–560 ms each). What a spawned step guarantees holds here too:
 * - its env is the step's env (the target's, expanded) and nothing of the worker's; its cwd the step's cwd;
 * - its output goes to a bounded tail, redacted like a spawned step's, and nowhere else;
 * - a timeout or a cancel-now stops it: its waits end, its database connection closes, and every program it
 *   started (alembic, pg_dump, the app's scripts) is killed with its process group; the step then ends
 *   `timed_out` / `cancelled` with no exit code, as a killed process does;
 * - the exit status is the check's (0 passed, 1 failed, 2 bad usage).
 */
export async function runCheckStep(
  step: SpawnableStep,
  checkArgv: readonly string[],
  opts: SpawnStepOptions,
): Promise<StepOutcome> {
  const tailBytes = opts.tailBytes ?? 4096;
  const graceMs = opts.killGraceMs ?? 3000;
  const marginBytes = opts.redactMarginBytes ?? 4096;
  const startedAt = performance.now();
  const capture = new OutputTail(tailBytes + marginBytes);
  let sealed = false;
  const line = (text: string) => {
    if (!sealed) capture.push(`${text}\n`);
  };

  const outcome = (status: StepOutcomeStatus, exitCode: number | null, note?: string): StepOutcome => {
    sealed = true;
    if (note) capture.push(`${capture.total > 0 ? '\n' : ''}[rollback-bot] ${note}\n`);
    return {
      status,
      exitCode,
      signal: null,
      durationMs: Math.round(performance.now() - startedAt),
      outputTail: renderTail(capture, tailBytes, marginBytes, opts.redact),
      pid: null,
      outputBytes: capture.total,
    };
  };

  if (opts.signal?.aborted) return outcome('cancelled', null, 'cancelled before the step started');
  const badCwd = cwdProblem(step.cwd);
  if (badCwd) return outcome('failed', 126, `cannot run the check: ${badCwd}`);

  const stop = new AbortController();
  let reason: 'timed_out' | 'cancelled' | null = null;
  let stopped: () => void = () => {};
  const whenStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const terminate = (why: 'timed_out' | 'cancelled') => {
    if (reason !== null) return;
    reason = why;
    stop.abort();
    stopped();
  };
  const onAbort = () => terminate('cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    Number.isFinite(step.timeoutMs) && step.timeoutMs > 0
      ? setTimeout(() => terminate('timed_out'), step.timeoutMs)
      : undefined;

  const running = runCheck(checkArgv, step.env, {
    cwd: step.cwd,
    out: line,
    err: line,
    signal: stop.signal,
  }).catch((error: unknown) => {
    // runCheck never throws; should it, the step fails as a crashed process would.
    line(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  });
  try {
    const code = await Promise.race([running, whenStopped.then(() => undefined)]);
    if (reason === null && code !== undefined) return outcome(code === 0 ? 'succeeded' : 'failed', code);
    // Stopped: give the check the kill grace to end (its programs' groups are being killed); what it says
    // after that is not recorded.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
    clearTimeout(grace);
    return reason === 'timed_out'
      ? outcome('timed_out', null, `timed out after ${step.timeoutMs} ms; check stopped`)
      : outcome('cancelled', null, 'cancelled; check stopped');
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
