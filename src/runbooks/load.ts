import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { aliasKey } from './catalog.js';
import { RunbookError, type RunbookIssue } from './errors.js';
import { located } from './issues.js';
import { readRunbook } from './runbook-file.js';
import { readTargets, targetShapes } from './targets.js';
import type { Catalog, Runbook } from './types.js';

export interface LoadOptions {
  /** The runbooks directory (`RUNBOOKS_DIR`); every `*.yaml`/`*.yml` in it but the targets file is a runbook. */
  dir: string;
  /** @defaultValue `<dir>/targets.yaml` */
  targetsFile?: string;
  /** The bot's environment, for `${VAR}` in targets. */
  env: Record<string, string | undefined>;
}

export interface CatalogResult {
  /** What could be loaded; complete only when `issues` is empty. */
  catalog: Catalog;
  issues: RunbookIssue[];
}

/** Load and validate the runbooks and targets; throws RunbookError (RUNBOOK_INVALID) listing every problem. */
export function loadCatalog(options: LoadOptions): Catalog {
  const { catalog, issues } = readCatalog(options);
  if (issues.length > 0) throw new RunbookError('RUNBOOK_INVALID', issues);
  return catalog;
}

/** Like loadCatalog, but returns the problems instead of throwing (for `runbooks check`). */
export function readCatalog(options: LoadOptions): CatalogResult {
  const issues: RunbookIssue[] = [];
  const catalog: Catalog = { runbooks: new Map(), aliases: new Map(), targets: new Map() };
  const targetsFile = options.targetsFile ?? join(options.dir, 'targets.yaml');

  const targetsBytes = readBytes(targetsFile, issues);
  if (targetsBytes) {
    const result = readTargets(targetsFile, targetsBytes.toString('utf8'), options.env);
    issues.push(...result.issues);
    catalog.targets = result.targets;
    if (result.defaultTargetId !== undefined) catalog.defaultTargetId = result.defaultTargetId;
  }
  // With no readable targets, `{{target.x}}` cannot be checked; saying "no target defines x" would only be noise.
  const shapes = catalog.targets.size > 0 ? targetShapes(catalog.targets.values()) : undefined;

  const files = runbookFiles(options.dir, targetsFile, issues);
  if (files?.length === 0)
    issues.push({ file: options.dir, path: '', message: 'no runbook files (*.yaml) here' });
  for (const file of files ?? []) {
    const bytes = readBytes(file, issues);
    if (!bytes) continue;
    const { runbook, issues: found, source } = readRunbook(file, bytes, shapes);
    issues.push(...found);
    if (!runbook || !source) continue;
    const problem = (path: PropertyKey[], message: string) =>
      issues.push(located(file, source, path, message));
    register(catalog, runbook, problem);
  }
  return { catalog, issues };
}

/** Add a runbook under its id and aliases unless another file already claims one of them. */
function register(
  catalog: Catalog,
  runbook: Runbook,
  problem: (path: PropertyKey[], message: string) => void,
) {
  const names: Array<[string, PropertyKey[]]> = [
    [runbook.id, ['id']],
    ...runbook.aliases.map((a, i): [string, PropertyKey[]] => [a, ['aliases', i]]),
  ];
  const twin = catalog.runbooks.get(runbook.id);
  if (twin) {
    problem(['id'], `duplicate runbook id "${runbook.id}" (also in ${twin.file})`);
    return;
  }
  // The names that clash are reported; the others are registered anyway, so a later file's clash with them is
  // reported in the same pass (the catalog is not used when there are problems).
  catalog.runbooks.set(runbook.id, runbook);
  for (const [name, path] of names) {
    const owner = catalog.aliases.get(aliasKey(name));
    if (owner === undefined || owner === runbook.id) {
      catalog.aliases.set(aliasKey(name), runbook.id);
      continue;
    }
    const ownerFile = catalog.runbooks.get(owner)?.file ?? '?';
    const kind = path[0] === 'id' ? 'runbook id' : 'alias';
    problem(path, `${kind} "${name}" is already used by runbook ${owner} (${ownerFile})`);
  }
}

function runbookFiles(dir: string, targetsFile: string, issues: RunbookIssue[]): string[] | undefined {
  try {
    const targets = resolve(targetsFile);
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && /\.ya?ml$/i.test(e.name) && !e.name.startsWith('.'))
      .filter((e) => !/^targets\.ya?ml$/i.test(e.name) && resolve(dir, e.name) !== targets)
      .map((e) => e.name)
      .sort()
      .map((name) => join(dir, name));
  } catch (error) {
    issues.push({ file: dir, path: '', message: `cannot read the directory: ${errorText(error)}` });
    return undefined;
  }
}

function readBytes(file: string, issues: RunbookIssue[]): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    issues.push({ file, path: '', message: `cannot read the file: ${errorText(error)}` });
    return undefined;
  }
}

function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES') return 'permission denied';
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
