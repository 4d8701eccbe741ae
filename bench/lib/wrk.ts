import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processCpuMs } from './cpu.js';

export interface WrkResult {
  /** Responses counted (the requested count, unless wrk hit its time limit first). */
  responses: number;
  seconds: number;
  rps: number;
  /** Responses other than HTTP 200 (the bot refusing a request would show here). */
  non200: number;
  socketErrors: number;
  /** wrk's own latency record, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Requests written, including the few in flight when the count was reached. */
  sent: number;
  /** CPU time wrk itself used, ms. */
  wrkCpuMs: number;
}

/** Writes requests as wrk-count.lua reads them: "<byte length>\n<raw request>" each. */
export function writeRequests(file: string, raw: readonly string[]): void {
  writeFileSync(file, raw.map((r) => `${Buffer.byteLength(r)}\n${r}`).join(''));
}

/**
 * `count` responses from one wrk thread over `connections` keep-alive connections, the requests of `file`
 * sent in order (cycled if there are fewer). Bounded: wrk stops at `maxSeconds` whatever happens.
 */
export async function runWrk(options: {
  url: string;
  file: string;
  count: number;
  connections: number;
  maxSeconds?: number;
}): Promise<WrkResult> {
  const script = join(import.meta.dirname, 'wrk-count.lua');
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.maxSeconds ?? 60}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    options.url,
  ];
  const child = spawn('wrk', args, {
    env: { ...process.env, WRK_FILE: options.file, WRK_COUNT: String(options.count) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  let signalled = false;
  let wrkCpuMs = Number.NaN;
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    if (!signalled && err.includes('WRKDONE')) {
      signalled = true;
      wrkCpuMs = processCpuMs(child.pid ?? 0);
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('exit', (c) => resolve(c));
    child.on('error', (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error('wrk is not installed (Debian: apt-get install -y wrk)')
          : error,
      ),
    );
  });
  const done = /WRKDONE (\d+) (\d+) (\d+) (\d+)/.exec(err);
  const lat = /WRKLAT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(err);
  if (!lat) throw new Error(`wrk exited ${code} without results:\n${err}`);
  const n = (m: RegExpExecArray | null, i: number) => Number(m?.[i] ?? Number.NaN);
  const responses = done ? n(done, 1) : Number.NaN;
  const seconds = done ? n(done, 2) / 1e6 : Number.NaN;
  return {
    responses,
    seconds,
    rps: responses / seconds,
    sent: n(done, 3),
    non200: done ? n(done, 4) : n(lat, 7),
    socketErrors: n(lat, 6),
    p50: n(lat, 1) / 1000,
    p95: n(lat, 2) / 1000,
    p99: n(lat, 3) / 1000,
    max: n(lat, 5) / 1000,
    wrkCpuMs,
  };
}
