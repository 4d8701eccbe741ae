import { isAbsolute, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createRedactor, type Redactor } from '../runbooks/redact.js';
import { CheckFailure, UsageError } from './args.js';
import type { ExecResult } from './exec.js';
import { pgClientConfig } from './pg-config.js';

/** Where a check runs and writes; the CLI passes the process's, tests their own. */
export interface CheckIO {
  /** @defaultValue process.cwd() */
  cwd?: string;
  /** One line at a time, without the newline. @defaultValue process.stdout */
  out?: (line: string) => void;
  /** @defaultValue process.stderr */
  err?: (line: string) => void;
  /**
   * Set when the check runs inside another program (the worker), which then passes `out`, `err` and `cwd` too.
   * Aborting it stops the check: its waits end, its database connection closes, and the process group of every
   * program it started (alembic, pg_dump…) is killed. Without it (the `check` command) a started program stays
   * in the check's own process group, which whoever started the check kills.
   */
  signal?: AbortSignal;
}

export interface Ctx {
  env: Record<string, string | undefined>;
  cwd: string;
  redact: Redactor;
  /** Print a line (redacted) to stdout / stderr. */
  out(line: string): void;
  err(line: string): void;
  /** See CheckIO.signal; undefined for the `check` command. */
  signal: AbortSignal | undefined;
  /** Wait `ms`; rejects when the check is stopped meanwhile. */
  sleep(ms: number): Promise<void>;
}

export function createCtx(env: Record<string, string | undefined>, io: CheckIO = {}): Ctx {
  const redact = createRedactor(secretsOf(env.DATABASE_URL));
  const write =
    (sink: ((line: string) => void) | undefined, stream: NodeJS.WriteStream) => (line: string) => {
      const text = redact(line);
      if (sink) sink(text);
      else stream.write(`${text}\n`);
    };
  const signal = io.signal;
  return {
    env,
    cwd: io.cwd ?? process.cwd(),
    redact,
    out: write(io.out, process.stdout),
    err: write(io.err, process.stderr),
    signal,
    sleep: (ms) => sleep(ms, undefined, signal ? { signal } : {}),
  };
}

/** Throws (the check ends) once the check was stopped. */
export function throwIfStopped(ctx: Ctx): void {
  if (ctx.signal?.aborted) throw new CheckFailure('stopped');
}

/** The URL, its password and the decoded password: none of them is ever printed. */
function secretsOf(url: string | undefined): string[] {
  if (!url) return [];
  const secrets = [url];
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*?:([^/@]*)@/i.exec(url)?.[1];
  if (password) {
    secrets.push(password);
    try {
      secrets.push(decodeURIComponent(password));
    } catch {
      // not percent-encoded
    }
  }
  return secrets;
}

/** A path given to a check, relative to the check's working directory. */
export function pathIn(ctx: Ctx, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** DATABASE_URL for libpq tools and pg: `postgresql+psycopg2://` (SQLAlchemy's form) becomes `postgresql://`. */
export function databaseUrl(ctx: Ctx): string {
  const url = ctx.env.DATABASE_URL?.trim();
  if (!url) throw new UsageError("DATABASE_URL is not set (the target's env must carry it)");
  return url.replace(/^(postgres(?:ql)?)\+[a-z0-9_]+:\/\//i, '$1://');
}

// pg and execa are imported when first needed: a check process starts for every step, and a kind that needs
// neither (health) should not pay for loading them.
export async function withDb<T>(ctx: Ctx, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const { default: pgModule } = await import('pg');
  throwIfStopped(ctx);
  const client = new pgModule.Client({
    ...pgClientConfig(databaseUrl(ctx), ctx.env, ctx.signal !== undefined),
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
  });
  client.on('error', () => {});
  // Stopped: the connection closes, and whatever query is waiting fails with it.
  const close = () => void client.end().catch(() => {});
  ctx.signal?.addEventListener('abort', close, { once: true });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new CheckFailure(`cannot connect to the database: ${errorText(error)}`);
    }
    return await fn(client);
  } finally {
    ctx.signal?.removeEventListener('abort', close);
    await client.end().catch(() => {});
  }
}

export { type ExecResult, exec } from './exec.js';

/** Why a process failed, in one line plus the tail of what it said. */
export function describeFailure(label: string, result: ExecResult, tailLines = 6): string {
  if (result.startError) return result.startError;
  const how = result.timedOut
    ? 'timed out'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  const tail = lastLines(`${result.stderr}\n${result.stdout}`, tailLines);
  return tail ? `${label} ${how}:\n${tail}` : `${label} ${how}`;
}

export function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .slice(-n)
    .join('\n');
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
