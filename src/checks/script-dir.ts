import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * What alembic says about a migration script directory (its history, an offline script) depends only on the
 * files of that directory and its config; the database is not involved. The worker runs many checks on the same
 * project (the drill asks four times), so the answers are kept, keyed by a fingerprint of those files (paths,
 * sizes, mtimes): computed at most once while nothing changes, computed again as soon as a file does.
 */

const SKIP = new Set(['__pycache__', 'node_modules', '.git', '.venv', 'venv']);
const MAX_DEPTH = 4;
const MAX_FILES = 5000;

/** `script_location` and `version_locations` of the `[alembic]` section, `%(here)s` expanded; [] when unreadable. */
export function scriptLocations(configFile: string, cwd: string): string[] {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch {
    return [];
  }
  const here = dirname(configFile);
  const section = /^\[alembic\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const value = (key: string) =>
    new RegExp(`^${key}\\s*[=:]\\s*(.*)$`, 'm').exec(section)?.[1]?.trim().replaceAll('%(here)s', here);
  const dirs: string[] = [];
  const script = value('script_location');
  if (script) dirs.push(script);
  // Separators differ by `version_path_separator`; paths with spaces, commas or colons are not supported here
  // (they only cost the cache: such a project is fingerprinted by its config and script_location alone).
  for (const part of value('version_locations')?.split(/[\s,;:]+/) ?? []) if (part) dirs.push(part);
  return dirs.map((d) => (isAbsolute(d) ? d : resolve(cwd, d)));
}

function listFiles(dir: string, depth: number, into: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    into.push(`${dir}:missing`);
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (into.length > MAX_FILES) return;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !SKIP.has(entry.name)) listFiles(path, depth + 1, into);
    } else if (/\.(py|mako|ini)$/.test(entry.name)) {
      try {
        const st = statSync(path);
        into.push(`${path}:${st.size}:${st.mtimeMs}`);
      } catch {
        // vanished meanwhile: left out, and the next fingerprint differs anyway
      }
    }
  }
}

/**
 * A fingerprint of everything alembic reads to learn the script directory: the config file and every .py/.mako/.ini
 * under its script and version locations. Undefined when the config cannot be read (no caching then).
 */
export function scriptDirFingerprint(
  cwd: string,
  env: Record<string, string | undefined>,
): string | undefined {
  const configFile = resolve(cwd, env.ALEMBIC_CONFIG || 'alembic.ini');
  const dirs = scriptLocations(configFile, cwd);
  if (dirs.length === 0) return undefined;
  const files: string[] = [];
  try {
    const st = statSync(configFile);
    files.push(`${configFile}:${st.size}:${st.mtimeMs}`);
  } catch {
    return undefined;
  }
  for (const dir of [...new Set(dirs)]) listFiles(dir, 0, files);
  return createHash('sha256').update(files.join('\n')).digest('hex');
}

/** Answers kept per key; a failed computation is not kept (the next check tries again). */
export class ScriptDirCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  computed = 0;

  constructor(private readonly maxEntries = 64) {}

  get(key: string | undefined, compute: () => Promise<T>): Promise<T> {
    if (key === undefined) {
      this.computed++;
      return compute();
    }
    const kept = this.entries.get(key);
    if (kept) return kept;
    this.computed++;
    const promise = compute();
    this.entries.set(key, promise);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    promise.catch(() => {
      if (this.entries.get(key) === promise) this.entries.delete(key);
    });
    return promise;
  }

  clear(): void {
    this.entries.clear();
  }
}
