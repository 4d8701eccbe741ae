import { parseDurationMs } from '../util/duration.js';
/**
 * The checks' own small argv grammar: `--name value`, `--name=value`, boolean `--flag`, repeatable options, and
 * `--` after which everything is a positional (the `logs` command). Unlike node:util's parseArgs, a value may
 * start with a dash (`--expect -1`), which is what runbooks pass.
 */

export type FlagKind = 'string' | 'strings' | 'boolean';
export type FlagSpec = Record<string, FlagKind>;

export interface Parsed {
  strings: Map<string, string>;
  lists: Map<string, string[]>;
  booleans: Set<string>;
  /** Everything after `--`. */
  rest: string[];
}

/** Bad usage: the program exits 2 and prints the kind's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The check ran and the system is not as expected: the program exits 1. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

export function parseFlags(argv: readonly string[], spec: FlagSpec, allowRest = false): Parsed {
  const parsed: Parsed = { strings: new Map(), lists: new Map(), booleans: new Set(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      if (!allowRest) throw new UsageError('this check takes no command after --');
      parsed.rest = argv.slice(i + 1);
      break;
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] ?? '';
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.booleans.add(name);
      continue;
    }
    let value = match[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i] ?? '';
    }
    if (kind === 'strings') parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), value]);
    else if (parsed.strings.has(name)) throw new UsageError(`--${name} given twice`);
    else parsed.strings.set(name, value);
  }
  return parsed;
}

export function required(parsed: Parsed, name: string): string {
  const value = parsed.strings.get(name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** `--<name>`: a required http(s) URL. */
export function urlFlag(parsed: Parsed, name: string): URL {
  const raw = required(parsed, name);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name}: not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${name} must be http(s)`);
  return url;
}

export function durationFlag(parsed: Parsed, name: string, fallback?: string): number {
  const text = parsed.strings.get(name) ?? fallback;
  if (text === undefined) throw new UsageError(`--${name} is required`);
  const ms = parseDurationMs(text);
  if (ms === undefined)
    throw new UsageError(`--${name}: not a duration (like 3s, 10m, 24h): ${JSON.stringify(text)}`);
  return ms;
}

export function intFlag(parsed: Parsed, name: string, fallback?: number): number | undefined {
  const text = parsed.strings.get(name);
  if (text === undefined) return fallback;
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`--${name}: not a whole number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Human form of a duration: `850ms`, `12s`, `3m05s`, `2h10m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
