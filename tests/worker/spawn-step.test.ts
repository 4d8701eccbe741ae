import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnableStep, spawnStep } from '../../src/worker/spawn-step.js';
import { OutputTail } from '../../src/worker/spawn-tail.js';

const PATH = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
const noRedact = (text: string) => text;

function step(argv: string[], extra: Partial<SpawnableStep> = {}): SpawnableStep {
  return { argv, cwd: tmpdir(), env: { PATH }, timeoutMs: 20_000, ...extra };
}

/**
 * Dead: no such process, or a zombie. A killed orphan is re-parented to PID 1, and where PID 1 does not
 * reap (as in some sandboxes) it stays a zombie: dead, holding nothing, but still answering kill(pid, 0).
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitGone(pid: number, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return isGone(pid);
}

function firstPid(text: string): number {
  const pid = Number.parseInt(text.trim().split('\n')[0] ?? '', 10);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

describe('spawnStep', () => {
  it('runs a command and reports success, stdout and stderr together, and the pid', async () => {
    const spawned: number[] = [];
    const out = await spawnStep(step(['sh', '-c', 'echo hello; echo oops >&2']), {
      redact: noRedact,
      onSpawn: (pid) => spawned.push(pid),
    });
    expect(out.status).toBe('succeeded');
    expect(out.exitCode).toBe(0);
    expect(out.signal).toBeNull();
    expect(out.outputTail).toContain('hello\n');
    expect(out.outputTail).toContain('oops\n');
    expect(spawned).toEqual([out.pid]);
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a failure with its exit code and the tail of the output', async () => {
    const out = await spawnStep(step(['sh', '-c', 'echo "alembic: partial output"; exit 3']), {
      redact: noRedact,
    });
    expect(out.status).toBe('failed');
    expect(out.exitCode).toBe(3);
    expect(out.outputTail).toContain('alembic: partial output');
  });

  it('never uses a shell: arguments are passed literally', async () => {
    const out = await spawnStep(step(['echo', '$HOME', '; rm -rf /', '`id`', '$(id)']), { redact: noRedact });
    expect(out.outputTail).toBe('$HOME ; rm -rf / `id` $(id)\n');
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const out = await spawnStep(step(['sh', '-c', 'sleep 1000 & echo $!; wait'], { timeoutMs: 1000 }), {
      redact: noRedact,
      killGraceMs: 500,
    });
    const grandchild = firstPid(out.outputTail);
    strays.push(grandchild);
    expect(out.status).toBe('timed_out');
    expect(out.signal).toBe('SIGTERM');
    expect(out.outputTail).toContain('timed out after 1000 ms');
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const script = 'trap "" TERM; sleep 1000 & echo $!; wait; wait';
    const out = await spawnStep(step(['sh', '-c', script], { timeoutMs: 1000 }), {
      redact: noRedact,
      killGraceMs: 300,
    });
    const grandchild = firstPid(out.outputTail);
    strays.push(grandchild);
    expect(out.status).toBe('timed_out');
    expect(out.signal).toBe('SIGKILL');
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('kills what the leader leaves behind when it exits on its own', async () => {
    const out = await spawnStep(step(['sh', '-c', 'sleep 1000 & echo $!']), {
      redact: noRedact,
      killGraceMs: 500,
    });
    const grandchild = firstPid(out.outputTail);
    strays.push(grandchild);
    expect(out.status).toBe('succeeded');
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('cancels on abort: the group is killed and the outcome is cancelled', async () => {
    const controller = new AbortController();
    const out = await spawnStep(step(['sh', '-c', 'sleep 1000 & echo $!; wait']), {
      redact: noRedact,
      signal: controller.signal,
      killGraceMs: 500,
      onSpawn: () => setTimeout(() => controller.abort(), 300),
    });
    const grandchild = firstPid(out.outputTail);
    strays.push(grandchild);
    expect(out.status).toBe('cancelled');
    expect(out.outputTail).toContain('cancelled');
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('does not start a step whose signal is already aborted', async () => {
    const spawned: number[] = [];
    const out = await spawnStep(step(['sh', '-c', 'echo ran']), {
      redact: noRedact,
      signal: AbortSignal.abort(),
      onSpawn: (pid) => spawned.push(pid),
    });
    expect(out.status).toBe('cancelled');
    expect(out.pid).toBeNull();
    expect(spawned).toEqual([]);
    expect(out.outputTail).not.toContain('ran');
  });

  it('keeps only the last tailBytes of a huge output', async () => {
    const script = 'head -c 52428800 /dev/zero | tr "\\0" x; echo; echo THE-END';
    const out = await spawnStep(step(['sh', '-c', script], { timeoutMs: 60_000 }), {
      redact: noRedact,
      tailBytes: 1000,
    });
    expect(out.status).toBe('succeeded');
    expect(out.outputBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(Buffer.byteLength(out.outputTail)).toBeLessThanOrEqual(1000);
    expect(out.outputTail.endsWith('x\nTHE-END\n')).toBe(true);
  }, 60_000);

  it('bounds the memory of the capture itself', () => {
    const tail = new OutputTail(100);
    for (let i = 0; i < 10_000; i++) tail.push(Buffer.from(`line ${i}\n`));
    expect(tail.bytes().length).toBe(100);
    expect(tail.bytes().toString().endsWith('line 9999\n')).toBe(true);
    expect(tail.truncated).toBe(true);
  });

  it('redacts secrets, including one cut in two by the truncation', async () => {
    const secret = 'S3cr3t-0123456789abcdef0123456789abcdef';
    const redact = (text: string) => text.split(secret).join('[REDACTED]');
    const whole = await spawnStep(
      step(['sh', '-c', 'echo "url=postgres://u:$S@db/x"'], { env: { PATH, S: secret } }),
      {
        redact,
      },
    );
    expect(whole.outputTail).toBe('url=postgres://u:[REDACTED]@db/x\n');

    // The kept window (tailBytes + margin) starts 20 characters into the secret: no pattern matches the rest.
    const tailBytes = 100;
    const margin = 200;
    const filler = tailBytes + margin - (secret.length - 20);
    const script = `printf %s "$S"; head -c ${filler} /dev/zero | tr "\\0" y`;
    const cut = step(['sh', '-c', script], { env: { PATH, S: secret } });
    const safe = await spawnStep(cut, { redact, tailBytes, redactMarginBytes: margin });
    expect(safe.outputTail).not.toContain(secret.slice(20, 30));
    expect(safe.outputTail).toMatch(/^y+$/);
    const unsafe = await spawnStep(cut, { redact, tailBytes: tailBytes + margin, redactMarginBytes: 0 });
    expect(unsafe.outputTail).toContain(secret.slice(20)); // what the margin is there to prevent
  });

  it('gives the step exactly the env it was given, nothing of the bot', async () => {
    process.env.SPAWN_STEP_TEST_LEAK = 'leaky';
    try {
      const out = await spawnStep(step(['env'], { env: { PATH, GIVEN: 'yes' } }), { redact: noRedact });
      const keys = out.outputTail
        .trim()
        .split('\n')
        .map((line) => line.slice(0, line.indexOf('=')));
      expect(keys.sort()).toEqual(['GIVEN', 'PATH']);
      expect(out.outputTail).not.toContain('leaky');
    } finally {
      delete process.env.SPAWN_STEP_TEST_LEAK;
    }
  });

  it('runs in the given cwd with stdin closed', async () => {
    const out = await spawnStep(step(['sh', '-c', 'pwd; cat; echo stdin-closed'], { cwd: '/' }), {
      redact: noRedact,
    });
    expect(out.status).toBe('succeeded');
    expect(out.outputTail).toBe('/\nstdin-closed\n');
  });

  it('reports a missing command as failed with 127 and ENOENT, without throwing', async () => {
    const out = await spawnStep(step(['definitely-not-a-command-7f3a']), { redact: noRedact });
    expect(out.status).toBe('failed');
    expect(out.exitCode).toBe(127);
    expect(out.pid).toBeNull();
    expect(out.outputTail).toContain('definitely-not-a-command-7f3a');
    expect(out.outputTail).toContain('command not found (ENOENT)');
  });

  it('reports a missing cwd and an empty argv as failures', async () => {
    const badCwd = await spawnStep(step(['true'], { cwd: '/nonexistent/dir-7f3a' }), { redact: noRedact });
    expect(badCwd.status).toBe('failed');
    expect(badCwd.outputTail).toContain('does not exist');
    const empty = await spawnStep(step([]), { redact: noRedact });
    expect(empty.status).toBe('failed');
    expect(empty.outputTail).toContain('empty command');
  });
});
