import { isAbsolute, resolve } from 'node:path';
import type pg from 'pg';
import { createRedactor, type Redactor } from '../runbooks/redact.js';
import { CheckFailure, UsageError } from './args.js';

/** Where a check runs and writes; the CLI passes the process's, tests their own. */
export interface CheckIO {
  /** @defaultValue process.cwd() */
  cwd?: string;
  /** One line at a time, without the newline. @defaultValue process.stdout */
  out?: (line: string) => void;
  /** @defaultValue process.stderr */
  err?: (line: string) => void;
}

export interface Ctx {
  env: Record<string, string | undefined>;
  cwd: string;
  redact: Redactor;
  /** Print a line (redacted) to stdout / stderr. */
  out(line: string): void;
  err(line: string): void;
}

export function createCtx(env: Record<string, string | undefined>, io: CheckIO = {}): Ctx {
  const redact = createRedactor(secretsOf(env.DATABASE_URL));
  const write =
    (sink: ((line: string) => void) | undefined, stream: NodeJS.WriteStream) => (line: string) => {
      const text = redact(line);
      if (sink) sink(text);
      else stream.write(`${text}\n`);
    };
  return {
    env,
    cwd: io.cwd ?? process.cwd(),
    redact,
    out: write(io.out, process.stdout),
    err: write(io.err, process.stderr),
  };
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
  const client = new pgModule.Client({
    connectionString: databaseUrl(ctx),
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new CheckFailure(`cannot connect to the database: ${errorText(error)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ExecResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started (not found, not executable). */
  startError?: string;
}

/** Run a program (argv, never a shell) with the check's environment only; never throws. */
export async function exec(
  ctx: Ctx,
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.env)) if (value !== undefined) env[key] = value;
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    cwd: options.cwd ?? ctx.cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: options.timeoutMs ?? 10 * 60_000,
    stripFinalNewline: false,
  });
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
    timedOut: result.timedOut,
    ...(startError ? { startError } : {}),
  };
}

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
