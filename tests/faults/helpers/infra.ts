import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { eventually, freePort } from './procs.js';

const run = promisify(execFile);

/**
 * Our own redis-server on a free port, never the machine's shared one: a test may stop, restart and flush it.
 * No persistence, so a restart comes back empty (what a Redis that lost its data looks like).
 */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  /** SIGTERM to the redis-server we started, by its pid; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL to the redis-server we started, by its pid: gone without closing its connections. */
  kill(): Promise<void>;
  flushAll(): Promise<void>;
  /** SIGSTOP / SIGCONT the redis-server we started: unreachable for a while, its data kept. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const self: OwnRedis = {
    port,
    url,
    async start() {
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      child = proc;
      exited = new Promise((done) => proc.once('exit', () => done()));
      await eventually(ping, 10_000, `redis-server on ${port}`, 50);
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid as number, 'SIGTERM');
      await exited;
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid as number, 'SIGKILL');
      await exited;
    },
    async flushAll() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    freeze() {
      if (child?.pid && child.exitCode === null && child.signalCode === null)
        process.kill(child.pid, 'SIGSTOP');
    },
    thaw() {
      if (child?.pid && child.exitCode === null && child.signalCode === null)
        process.kill(child.pid, 'SIGCONT');
    },
    async close() {
      self.thaw();
      await self.stop();
    },
  };
  await self.start();
  return self;
}

const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Our own Postgres cluster (initdb in a temp dir, on a free port), never the machine's shared one: a test may
 * stop and start it. As root, its programs run as the `postgres` user.
 */
export interface OwnPostgres {
  readonly port: number;
  /** Admin URL (database `postgres`). */
  readonly adminUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-faults-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, program), ...args], { cwd: dir })
      : run(join(PG_BIN, program), args, { cwd: dir });
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const self: OwnPostgres = {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pgRun('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
    },
    async stop() {
      // Fast shutdown: the postmaster we started terminates its sessions, as in a real restart.
      await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    },
    async close() {
      await self.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
