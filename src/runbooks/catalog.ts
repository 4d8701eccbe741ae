import { missingTargetKeys } from './render.js';
import type { Catalog, Runbook, Target } from './types.js';

/**
 * Words the chat grammar (src/commands/parse.ts) reads as verbs after `/rollback`: a runbook named so could
 * never be requested, so the loader refuses them as ids and aliases.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'help',
  '帮助',
  '-h',
  '--help',
  'status',
  '状态',
  'cancel',
  '取消',
  'export',
  '导出',
  'history',
  '历史',
  'targets',
  '目标',
  'impact',
  '影响',
]);

/** The catalog key of a runbook name or alias: NFC, ASCII letters lowercased (`Check` = `check`, `紧急` as is). */
export function aliasKey(name: string): string {
  return name.normalize('NFC').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The runbook a chat word names (its id or an alias), or undefined. */
export function findRunbook(catalog: Catalog, name: string): Runbook | undefined {
  const id = catalog.aliases.get(aliasKey(name));
  return id === undefined ? undefined : catalog.runbooks.get(id);
}

export type TargetChoice = { ok: true; target: Target } | { ok: false; reason: string };

/** The named target, else the default: refused, with a reason to show in chat, when unknown or unavailable. */
export function targetById(catalog: Catalog, targetId?: string): TargetChoice {
  const known = [...catalog.targets.keys()].join(', ');
  const id = targetId ?? catalog.defaultTargetId;
  if (id === undefined) return { ok: false, reason: `no default target; name one of: ${known}` };
  const target = catalog.targets.get(id);
  if (!target) return { ok: false, reason: `unknown target ${id}; known: ${known}` };
  if (target.unavailable) return { ok: false, reason: `target ${id} is unavailable: ${target.unavailable}` };
  return { ok: true, target };
}

/**
 * The target a request acts on: {@link targetById}, also refused when it lacks a key the runbook's templates use.
 */
export function pickTarget(catalog: Catalog, runbook: Runbook, targetId?: string): TargetChoice {
  const choice = targetById(catalog, targetId);
  if (!choice.ok) return choice;
  const { target } = choice;
  const id = target.id;
  const missing = missingTargetKeys(runbook, target);
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `target ${id} does not define ${missing.join(', ')}, which runbook ${runbook.id} uses`,
    };
  }
  return { ok: true, target };
}
