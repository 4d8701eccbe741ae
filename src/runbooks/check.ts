import { formatIssue } from './errors.js';
import { readCatalog } from './load.js';
import { missingTargetKeys } from './render.js';
import type { Catalog } from './types.js';

export interface CheckResult {
  /** False when any file has a problem; an unavailable target alone is only reported. */
  ok: boolean;
  /** One line each: the problems, or a summary of what loaded (runbooks, targets, unavailable ones). */
  messages: string[];
  catalog?: Catalog;
}

/** `rollback-bot runbooks check [dir]`: validate a runbooks directory and say what is in it. */
export function checkRunbooksDir(
  dir: string,
  env: Record<string, string | undefined>,
  targetsFile?: string,
): CheckResult {
  const { catalog, issues } = readCatalog({
    dir,
    env,
    ...(targetsFile !== undefined ? { targetsFile } : {}),
  });
  if (issues.length > 0) return { ok: false, messages: issues.map(formatIssue) };
  const messages: string[] = [];
  for (const runbook of catalog.runbooks.values()) {
    const aliases = runbook.aliases.length > 0 ? ` (${runbook.aliases.join(', ')})` : '';
    const counts = `${runbook.preflight.length} preflight, ${runbook.steps.length} steps`;
    messages.push(`runbook ${runbook.id}${aliases}: ${runbook.title['en-US']}; ${counts} [${runbook.file}]`);
  }
  for (const target of catalog.targets.values()) {
    const flag = target.id === catalog.defaultTargetId ? ' (default)' : '';
    const pool = target.runner ? ` (runner pool ${target.runner})` : '';
    const state = target.unavailable
      ? `unavailable, ${target.unavailable}`
      : target.secretsMissing
        ? `ok here; its runners must set what is missing in this environment (${target.secretsMissing})`
        : 'ok';
    messages.push(`target ${target.id}${flag}${pool}: ${state}`);
    for (const runbook of catalog.runbooks.values()) {
      const missing = missingTargetKeys(runbook, target);
      if (missing.length > 0) {
        messages.push(`  runbook ${runbook.id} cannot act on ${target.id}: it lacks ${missing.join(', ')}`);
      }
    }
  }
  return { ok: true, messages, catalog };
}
