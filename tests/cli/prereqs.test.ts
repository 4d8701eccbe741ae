import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** A PATH with everything /usr/bin has except alembic (node, bash, psql… stay). */
let bin: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'rbt-noalembic-'));
  for (const name of readdirSync('/usr/bin')) {
    if (name !== 'alembic') symlinkSync(join('/usr/bin', name), join(bin, name));
  }
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Pids whose process group is `pgid` (from /proc: field 5 of stat). */
function processesInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
    resolve(socket.status === 0);
  });
}

/** `npm run demo` in its own process group; its exit code (null: still running after 45 s, then killed) and stderr. */
async function runDemo(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; pgid: number }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/cli/main.ts'), 'demo'], {
    cwd: ROOT,
    detached: true,
    env: { HOME: process.env.HOME ?? '/root', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      process.kill(-(child.pid as number), 'SIGKILL');
      resolve(null);
    }, 45_000);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stderr, pgid: child.pid as number };
}

/** Nothing of the demo's process group is left (the tsx wrapper may outlive its child by milliseconds). */
async function leftBehind(pgid: number): Promise<string[]> {
  const deadline = Date.now() + 3000;
  let left = processesInGroup(pgid);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesInGroup(pgid);
  }
  return left.map(describeProcess);
}

describe('npm run demo that cannot start', () => {
  it('without alembic: says what is missing and how to fix it, exits 1 promptly, leaves nothing behind', async () => {
    const sandboxPort = await freePort();
    const botPort = await freePort();
    const { code, stderr, pgid } = await runDemo({
      PATH: bin,
      DEMO_SANDBOX_PORT: String(sandboxPort),
      DEMO_BOT_PORT: String(botPort),
    });
    expect(code, `stderr: ${stderr}`).toBe(1);
    expect(stderr).toContain('alembic is not installed or does not run');
    expect(stderr).toContain('Fix it with:');
    expect(stderr).toContain('rollback-bot demo: not started');
    expect(await leftBehind(pgid)).toEqual([]);
    expect(await portOpen(sandboxPort)).toBe(false);
    expect(await portOpen(botPort)).toBe(false);
  }, 60_000);

  it('failing after the sandbox listens: stops what it started and exits 1 instead of hanging', async () => {
    const sandboxPort = await freePort();
    const { code, stderr, pgid } = await runDemo({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DEMO_SANDBOX_PORT: String(sandboxPort),
      DEMO_BOT_PORT: String(await freePort()),
      // The bot's configuration is checked after the sandbox is up: a bad zone fails there.
      TIMEZONE: 'Mars/Olympus_Mons',
    });
    expect(code, `stderr: ${stderr}`).toBe(1);
    expect(stderr).toContain('rollback-bot demo: start-up failed (after: the sandbox)');
    expect(stderr).toContain('TIMEZONE must be an IANA time zone');
    expect(stderr).toContain('stopped everything it had started');
    expect(await leftBehind(pgid)).toEqual([]);
    expect(await portOpen(sandboxPort)).toBe(false);
  }, 60_000);
});

describe('scripts/prereqs.sh (npm test runs it first)', () => {
  it('passes on this machine', () => {
    const result = spawnSync('bash', [join(ROOT, 'scripts/prereqs.sh'), 'demo'], {
      encoding: 'utf8',
      env: { ...process.env, PREREQS_INSTALL: '0' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names an unreachable Redis and Postgres with the command that starts each', async () => {
    const closed = await freePort();
    const result = spawnSync('bash', [join(ROOT, 'scripts/prereqs.sh'), 'test'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PREREQS_INSTALL: '0',
        PREREQS_PG_URL: `postgres://postgres:hunter2@127.0.0.1:${closed}/postgres`,
        PREREQS_REDIS_URL: `redis://127.0.0.1:${closed}`,
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `PostgreSQL is not reachable at postgres://postgres:***@127.0.0.1:${closed}`,
    );
    expect(result.stderr).toContain(`Redis is not reachable at 127.0.0.1:${closed}`);
    expect(result.stderr).toContain('start Redis: redis-server');
    expect(result.stderr).not.toContain('hunter2');
  });
});
