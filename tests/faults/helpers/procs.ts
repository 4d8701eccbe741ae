import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: bot processes run from here, as `npm run bot` would. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `rollback-bot server|worker` process, as a real install runs it. */
export interface BotProcess {
  readonly name: string;
  readonly pid: number;
  /** Every line it wrote to stdout/stderr (pino JSON, mostly). */
  readonly logs: string[];
  readonly exited: Promise<Exit>;
  /** Set once it has exited. */
  exit: Exit | undefined;
  /** Resolves with the first log line (past or future) matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();
// Never leave a bot process behind, whatever happens to the test process.
process.once('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** `node --import tsx src/cli/main.ts <command>` with exactly `env`. */
export function spawnBot(
  name: string,
  command: 'server' | 'worker',
  env: Record<string, string>,
): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', command], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  children.add(child);
  const logs: string[] = [];
  const lines = new EventEmitter<{ line: [string] }>();
  lines.setMaxListeners(0);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (!line) continue;
        logs.push(line);
        lines.emit('line', line);
      }
    });
  }
  const proc: BotProcess = {
    name,
    pid: child.pid,
    logs,
    exit: undefined,
    exited: new Promise<Exit>((done) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        proc.exit = { code, signal };
        done(proc.exit);
      }),
    ),
    waitForLog(pattern, timeoutMs = 30_000) {
      const seen = logs.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => {
          lines.off('line', onLine);
          fail(new Error(`${name}: no log line ${pattern} after ${timeoutMs} ms; last: ${logs.slice(-5)}`));
        }, timeoutMs);
        const onLine = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          lines.off('line', onLine);
          done(line);
        };
        lines.on('line', onLine);
        void proc.exited.then(() => {
          if (!logs.some((l) => pattern.test(l))) {
            clearTimeout(timer);
            lines.off('line', onLine);
            fail(new Error(`${name} exited before logging ${pattern}: ${logs.slice(-10).join('\n')}`));
          }
        });
      });
    },
    kill(signal) {
      try {
        process.kill(child.pid as number, signal);
      } catch {
        // already gone
      }
    },
  };
  return proc;
}

/** A free TCP port on 127.0.0.1 (for our own redis-server and Postgres). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Gone, or a zombie (this machine's PID 1 does not reap orphans; a zombie runs nothing). */
export function processGone(pid: number): boolean {
  const s = stat(pid);
  return s === undefined || s.state === 'Z';
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.pgrp === pgid && s.state !== 'Z') live.push(s.pid);
  }
  return live;
}

/** The parent pid of a process, if it still exists. */
export function parentOf(pid: number): number | undefined {
  return stat(pid)?.ppid;
}

/** SIGKILL a whole process group; an empty group is fine. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left
  }
}

/** Poll `probe` until it returns a value; fails after `timeoutMs` naming `label`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  label: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
