import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RESULT_LINE_ENV } from '../../src/checks/result.js';
import { botCheckArgv } from '../../src/runbooks/bot-argv.js';
import { createRedactor } from '../../src/runbooks/redact.js';
import { runStep } from '../../src/worker/run-step.js';
import { type SpawnableStep, type StepOutcome, spawnStep } from '../../src/worker/spawn-step.js';

/**
 * Issue 13 item 1: a `{{bot.check}}` step runs inside the worker with the semantics of a spawned one. Every case
 * runs the same step both ways, spawned (`spawnStep`, what `rollback-bot check` is) and as the worker runs it
 * (`runStep`, in this process), and expects the same outcome.
 */

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const SECRET = 'tok-3c1d9e77-secret';
const redact = createRedactor([SECRET]);
const dir = mkdtempSync(join(tmpdir(), 'check-step-'));
let seq = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkStep(args: string[], extra: Partial<SpawnableStep> = {}): SpawnableStep {
  return {
    argv: [...botCheckArgv(), ...args],
    cwd: dir,
    env: { PATH, HOME: dir, SECRET_TOKEN: SECRET, [RESULT_LINE_ENV]: '1' },
    timeoutMs: 60_000,
    ...extra,
  };
}

type Way = 'spawned' | 'in-process';
const WAYS: Way[] = ['spawned', 'in-process'];

function run(way: Way, step: SpawnableStep, signal?: AbortSignal): Promise<StepOutcome> {
  const opts = { redact, killGraceMs: 1000, ...(signal ? { signal } : {}) };
  return way === 'spawned' ? spawnStep(step, opts) : runStep(step, opts);
}

/** A `logs` check whose logs command writes its pid to a file, then hangs: the check waits on it. */
function hangingCheck(): { args: string[]; pidFile: string } {
  const pidFile = join(dir, `pid-${++seq}`);
  const script = `echo $$ > ${pidFile}; exec sleep 30`;
  return { args: ['logs', '--for', '60s', '--every', '10s', '--', 'sh', '-c', script], pidFile };
}

async function waitFor<T>(probe: () => T | undefined, label: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'); // killed, re-parented, not yet reaped
  } catch {
    return true;
  }
}

const pidIn = (file: string) => {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
};

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

describe.each(WAYS)('a check step, %s', (way) => {
  it('passes with exit 0 and its ::result line; bad usage exits 2', async () => {
    const ok = await run(way, checkStep(['table', '--help-me']));
    expect(ok).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(ok.outputTail).toContain('table: unknown option --help-me');
    const logs = await run(way, checkStep(['logs', '--for', '0s', '--', 'echo', 'all quiet']));
    expect(logs).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(logs.outputTail).toMatch(
      /^logs: no ERROR in \d+ new log line\(s\)|^logs: ⚠ the app logged nothing/m,
    );
    expect(logs.outputTail).toContain('::result {"zh-CN":');
  });

  it('times out: ends timed_out with no exit code, and the program it started is killed', async () => {
    // Long enough for the spawned variant to start tsx, the check and its program on a loaded machine.
    const { args, pidFile } = hangingCheck();
    const pending = run(way, checkStep(args, { timeoutMs: 6000 }));
    const pid = await waitFor(() => pidIn(pidFile), 'the logs command to start');
    strays.push(pid);
    const outcome = await pending;
    expect(outcome.status).toBe('timed_out');
    // As for cancel-now: a spawned check under tsx may exit on its own SIGTERM handler; in-process there is none.
    if (way === 'in-process') expect(outcome.exitCode).toBeNull();
    expect(outcome.outputTail).toMatch(/\[rollback-bot\] timed out after 6000 ms/);
    await waitFor(() => (gone(pid) ? true : undefined), `pid ${pid} to be gone`, 10_000);
  });

  it('cancel-now: ends cancelled, and the program it started is killed', async () => {
    const { args, pidFile } = hangingCheck();
    const abort = new AbortController();
    const pending = run(way, checkStep(args), abort.signal);
    const pid = await waitFor(() => pidIn(pidFile), 'the logs command to start');
    strays.push(pid);
    abort.abort();
    const outcome = await pending;
    expect(outcome.status).toBe('cancelled');
    // A spawned check may still exit on its own SIGTERM handler (tsx has one); in-process there is no exit code.
    if (way === 'in-process') expect(outcome.exitCode).toBeNull();
    expect(outcome.outputTail).toMatch(/\[rollback-bot\] cancelled/);
    await waitFor(() => (gone(pid) ? true : undefined), `pid ${pid} to be gone`, 10_000);
  });

  it("redacts what the check prints: a secret of the step's env shows as ***", async () => {
    const args = ['logs', '--for', '0s', '--since', '1h', '--fail-on', 'TOKEN=', '--'];
    const outcome = await run(way, checkStep([...args, 'sh', '-c', 'echo "TOKEN=$SECRET_TOKEN"']));
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(outcome.outputTail).toContain('TOKEN=***');
    expect(outcome.outputTail).not.toContain(SECRET);
  });
});

describe('an in-process check leaves the worker alone', () => {
  it("sees the step's env only, never the worker's, and writes nothing to the worker's stdout/stderr", async () => {
    vi.stubEnv('H13B_WORKER_ONLY', 'worker-only-marker');
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const args = ['logs', '--for', '0s', '--since', '1h', '--fail-on', 'worker-only-marker', '--', 'env'];
      const clean = await runStep(checkStep(args), { redact });
      expect(clean).toMatchObject({ status: 'succeeded', exitCode: 0 });
      // The same check fails when the step's own env has the marker: it would have seen a leak.
      const step = checkStep(args);
      const leaky = await runStep({ ...step, env: { ...step.env, X: 'worker-only-marker' } }, { redact });
      expect(leaky).toMatchObject({ status: 'failed', exitCode: 1 });
      const written = [...stdout.mock.calls, ...stderr.mock.calls].map((c) => String(c[0])).join('');
      expect(written).not.toMatch(/logs: |worker-only-marker/);
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
