import { killGroup } from '../util/process-group.js';
import type { Ctx } from './context.js';

export interface ExecResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started (not found, not executable). */
  startError?: string;
}

/** Time between SIGTERM and SIGKILL to a started program's process group. */
const KILL_GRACE_MS = 3000;

/**
 * Run a program (argv, never a shell) with the check's environment only; never throws. Inside the worker
 * (ctx.signal set) the program gets a process group of its own, killed whole on timeout, when the check is
 * stopped, and after the program ends (whatever it left behind): invariant 5, as for a spawned step.
 */
export async function exec(
  ctx: Ctx,
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.env)) if (value !== undefined) env[key] = value;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  // A stopped check starts nothing more (a loop over revisions would otherwise start one alembic each, killed).
  if (ctx.signal?.aborted) {
    return {
      exitCode: undefined,
      signal: undefined,
      stdout: '',
      stderr: '',
      timedOut: false,
      startError: 'stopped',
    };
  }
  const grouped = ctx.signal !== undefined;
  const { execa } = await import('execa');
  const subprocess = execa(file, args, {
    cwd: options.cwd ?? ctx.cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
    ...(grouped ? { detached: true, cleanup: false } : { timeout: timeoutMs }),
  });
  const pid = subprocess.pid;
  const timers: NodeJS.Timeout[] = [];
  let timedOut = false;
  let killed = false;
  const kill = () => {
    if (killed || pid === undefined) return;
    killed = true;
    killGroup(pid, 'SIGTERM');
    timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS));
  };
  const onAbort = () => kill();
  if (grouped && pid !== undefined) {
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal?.aborted) kill();
    timers.push(
      setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs),
    );
    // What the program leaves behind in its group may hold the output pipes open: it goes when the program ends.
    subprocess.once('exit', () => {
      killGroup(pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS));
    });
  }
  let result: Awaited<typeof subprocess>;
  try {
    result = await subprocess;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    for (const timer of timers) clearTimeout(timer);
    if (grouped && pid !== undefined) killGroup(pid, 'SIGKILL');
  }
  const code = (result as { code?: unknown }).code;
  const startError =
    result.exitCode === undefined && result.signal === undefined && !result.timedOut
      ? code === 'ENOENT'
        ? `${file}: command not found`
        : `cannot run ${file}: ${typeof code === 'string' ? code : result.shortMessage}`
      : undefined;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut || timedOut,
    ...(startError ? { startError } : {}),
  };
}
