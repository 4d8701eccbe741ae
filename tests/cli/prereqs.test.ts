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

describe('npm run demo on a machine without alembic', () => {
  it('says what is missing and how to fix it, exits 1 promptly, leaves nothing behind', async () => {
    const sandboxPort = await freePort();
    const botPort = await freePort();
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src/cli/main.ts'), 'demo'], {
      cwd: ROOT,
      detached: true,
      env: {
        PATH: bin,
        HOME: process.env.HOME ?? '/root',
        DEMO_SANDBOX_PORT: String(sandboxPort),
        DEMO_BOT_PORT: String(botPort),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        process.kill(-(child.pid as number), 'SIGKILL');
        resolve(null);
      }, 25_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code, `stderr: ${stderr}`).toBe(1);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(stderr).toContain('alembic is not installed or does not run');
    expect(stderr).toContain('Fix it with:');
    expect(stderr).toContain('rollback-bot demo: not started');
    // The exit of the tsx wrapper can precede its node child's last instants by a few milliseconds: poll briefly.
    const deadline = Date.now() + 3000;
    let left = processesInGroup(child.pid as number);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesInGroup(child.pid as number);
    }
    expect(left.map(describeProcess)).toEqual([]);
    expect(await portOpen(sandboxPort)).toBe(false);
    expect(await portOpen(botPort)).toBe(false);
  });
});

describe('scripts/prereqs.sh (npm test runs it first)', () => {
  it('passes on this machine', () => {
    const result = spawnSync('bash', [join(ROOT, 'scripts/prereqs.sh'), 'demo'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names an unreachable Redis and Postgres with the command that starts each', async () => {
    const closed = await freePort();
    const result = spawnSync('bash', [join(ROOT, 'scripts/prereqs.sh'), 'test'], {
      encoding: 'utf8',
      env: {
        ...process.env,
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
