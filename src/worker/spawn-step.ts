import { execa } from 'execa';
import type { ResolvedStep } from '../runbooks/types.js';
import { cwdProblem, killGroup } from '../util/process-group.js';
import { OutputTail, renderTail } from './spawn-tail.js';

export type StepOutcomeStatus = 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

export interface StepOutcome {
  status: StepOutcomeStatus;
  /** The leader's exit code; null when it died of a signal or never started (except: 127/126, see below). */
  exitCode: number | null;
  /** The signal that ended the leader (`SIGTERM`, `SIGKILL`), if any. */
  signal: string | null;
  durationMs: number;
  /** The last `tailBytes` of stdout and stderr interleaved, redacted. */
  outputTail: string;
  /** Null when no process was started (command not found, cancelled before start). */
  pid: number | null;
  /** How many bytes the step printed in all (the tail may hold only the end of them). */
  outputBytes: number;
}

export interface SpawnStepOptions {
  /** Applied to the output tail (and to any message of ours) before it is returned. */
  redact: (text: string) => string;
  /** Aborting kills the step's process group; the outcome is `cancelled`. */
  signal?: AbortSignal;
  /** Called synchronously with the pid as soon as the process exists. If it throws, the step is killed. */
  onSpawn?: (pid: number) => void;
  /** Bytes of output kept (default 4096). */
  tailBytes?: number;
  /** Time between SIGTERM and SIGKILL to the process group (default 3000 ms). */
  killGraceMs?: number;
  /** Extra bytes captured ahead of the tail so a secret cut by the truncation is never shown (default 4096). */
  redactMarginBytes?: number;
}

/** What spawnStep needs of a step; a ResolvedStep (or a preflight step) fits. */
export type SpawnableStep = Pick<ResolvedStep, 'argv' | 'cwd' | 'env' | 'timeoutMs'>;

const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;

/**
 * Runs one step as a process: argv[0] as the file (no shell), exactly the given cwd and env, stdin closed,
 * in its own process group, which is killed (SIGTERM, then SIGKILL after `killGraceMs`) on timeout, on
 * cancellation, and when the leader exits leaving processes behind. Never throws: every failure is an outcome.
 */
export async function spawnStep(step: SpawnableStep, opts: SpawnStepOptions): Promise<StepOutcome> {
  const tailBytes = opts.tailBytes ?? 4096;
  const graceMs = opts.killGraceMs ?? 3000;
  const marginBytes = opts.redactMarginBytes ?? 4096;
  const startedAt = performance.now();
  const capture = new OutputTail(tailBytes + marginBytes);

  const outcome = (
    status: StepOutcomeStatus,
    exitCode: number | null,
    signal: string | null,
    pid: number | null,
    note?: string,
  ): StepOutcome => {
    if (note) capture.push(`${capture.total > 0 ? '\n' : ''}[rollback-bot] ${note}\n`);
    return {
      status,
      exitCode,
      signal,
      durationMs: Math.round(performance.now() - startedAt),
      outputTail: renderTail(capture, tailBytes, marginBytes, opts.redact),
      pid,
      outputBytes: capture.total,
    };
  };

  const [file, ...args] = step.argv;
  if (file === undefined || file === '')
    return outcome('failed', null, null, null, 'the step has an empty command');
  if (opts.signal?.aborted)
    return outcome('cancelled', null, null, null, 'cancelled before the step started');
  const badCwd = cwdProblem(step.cwd);
  if (badCwd) return outcome('failed', 126, null, null, `cannot run ${JSON.stringify(file)}: ${badCwd}`);

  const start = () =>
    execa(file, args, {
      cwd: step.cwd,
      env: step.env,
      extendEnv: false,
      detached: true,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      encoding: 'buffer',
      reject: false,
      cleanup: false,
    });
  let subprocess: ReturnType<typeof start>;
  try {
    subprocess = start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return outcome('failed', 126, null, null, `cannot run ${JSON.stringify(file)}: ${message}`);
  }

  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await subprocess;
    const code = errorCode(result) ?? 'unknown error';
    const why =
      code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'permission denied' : 'spawn failed';
    return outcome(
      'failed',
      code === 'ENOENT' ? 127 : 126,
      null,
      null,
      `cannot run ${JSON.stringify(file)}: ${why} (${code})`,
    );
  }

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    subprocess.once('exit', (code, signal) => resolve({ code, signal }));
  });
  subprocess.stdout?.on('data', (chunk: Uint8Array) => capture.push(chunk));
  subprocess.stderr?.on('data', (chunk: Uint8Array) => capture.push(chunk));

  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
  let reason: 'timed_out' | 'cancelled' | 'spawn_hook' | null = null;
  let leaderGone = false;
  const terminate = (why: NonNullable<typeof reason>) => {
    if (reason !== null || leaderGone) return;
    reason = why;
    killGroup(pid, 'SIGTERM');
    later(graceMs, () => killGroup(pid, 'SIGKILL'));
  };
  const onAbort = () => terminate('cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (Number.isFinite(step.timeoutMs) && step.timeoutMs > 0)
    later(step.timeoutMs, () => terminate('timed_out'));

  let hookError: string | undefined;
  try {
    opts.onSpawn?.(pid);
  } catch (err) {
    hookError = `onSpawn failed, step killed: ${err instanceof Error ? err.message : String(err)}`;
    terminate('spawn_hook');
  }

  const exit = await exited;
  leaderGone = true;
  // Whatever the leader left behind in its group goes too (invariant 5): gently first.
  if (reason === null) killGroup(pid, 'SIGTERM');
  const settled = (ms: number) =>
    Promise.race([subprocess.then(() => true), new Promise<false>((r) => later(ms, () => r(false)))]);
  if (!(await settled(graceMs))) {
    // Something still holds the output pipes: kill the group; if the holder escaped the group, stop reading.
    killGroup(pid, 'SIGKILL');
    if (!(await settled(1000))) {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      await subprocess;
    }
  }
  killGroup(pid, 'SIGKILL');
  for (const timer of timers) clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);

  const status: StepOutcomeStatus =
    reason === 'spawn_hook' ? 'failed' : (reason ?? (exit.code === 0 ? 'succeeded' : 'failed'));
  const note =
    hookError ??
    (reason === 'timed_out'
      ? `timed out after ${step.timeoutMs} ms; process group killed`
      : reason === 'cancelled'
        ? 'cancelled; process group killed'
        : undefined);
  return outcome(status, exit.code, exit.signal, pid, note);
}
