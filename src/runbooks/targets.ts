import { expandVars } from './env-expand.js';
import type { RunbookIssue } from './errors.js';
import { located, toIssues } from './issues.js';
import { targetsFileSchema } from './schema.js';
import type { TargetShapes } from './templates.js';
import type { Target } from './types.js';
import { parseYaml } from './yaml-source.js';

export interface TargetsResult {
  targets: Map<string, Target>;
  defaultTargetId?: string;
  issues: RunbookIssue[];
}

/**
 * Parse `targets.yaml` and expand `${VAR}` from `env` in every string. A target whose variable has no value and
 * no default is kept but marked `unavailable` (the others still work); format errors are issues.
 */
export function readTargets(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
): TargetsResult {
  const targets = new Map<string, Target>();
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    return { targets, issues: parsed.errors.map((e) => ({ file, path: '', ...e })) };
  }
  const { source } = parsed;
  const result = targetsFileSchema.safeParse(source.data, { reportInput: true });
  if (!result.success) return { targets, issues: toIssues(file, source, result.error.issues) };

  const issues: RunbookIssue[] = [];
  let defaultTargetId: string | undefined;
  result.data.targets.forEach((raw, i) => {
    const {
      id,
      default: isDefault,
      env: rawEnv,
      public_env: rawPublicEnv,
      runner,
      chats,
      approvers,
      approval,
      ...rawVars
    } = raw;
    if (targets.has(id)) {
      issues.push(located(file, source, ['targets', i, 'id'], `duplicate target id "${id}"`));
      return;
    }
    if (isDefault && defaultTargetId !== undefined) {
      const message = `only one target may be the default, and "${defaultTargetId}" already is`;
      issues.push(located(file, source, ['targets', i, 'default'], message));
    } else if (isDefault) defaultTargetId = id;

    const missing = new Set<string>();
    const missingSecrets = new Set<string>();
    const expand = (value: string, path: PropertyKey[]): string => {
      const expansion = expandVars(value, env);
      for (const name of expansion.missing) (path[0] === 'env' ? missingSecrets : missing).add(name);
      for (const error of expansion.errors)
        issues.push(located(file, source, ['targets', i, ...path], error));
      return expansion.value;
    };
    const targetEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawEnv)) targetEnv[key] = expand(value, ['env', key]);
    const publicEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawPublicEnv))
      publicEnv[key] = expand(value, ['public_env', key]);
    const vars: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(rawVars)) {
      vars[key] = Array.isArray(value) ? value.map((v, j) => expand(v, [key, j])) : expand(value, [key]);
    }
    const target: Target = { id, default: isDefault, env: targetEnv, vars };
    if (runner !== 'default') target.runner = runner;
    if (chats) target.chats = chats.map((c) => (typeof c === 'string' ? { id: c } : c));
    if (approvers) target.approvers = approvers;
    if (approvers && approval?.quorum !== undefined && approval.quorum > approvers.length) {
      const message = `approval.quorum is ${approval.quorum} but the target names only ${approvers.length} approver(s): no request could ever be approved`;
      issues.push(located(file, source, ['targets', i, 'approval', 'quorum'], message));
    }
    if (approval) {
      target.approval = {
        ...(approval.quorum !== undefined ? { quorum: approval.quorum } : {}),
        ...(approval.four_eyes !== undefined ? { fourEyes: approval.four_eyes } : {}),
        ...(approval.expires_in !== undefined ? { expiresInSeconds: approval.expires_in } : {}),
      };
    }
    if (Object.keys(publicEnv).length > 0) target.publicEnv = publicEnv;
    const notSet = (names: string[]) => `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not set`;
    // A target of its own runner pool gets its secrets (`env`) on its runners only: elsewhere (the server,
    // other pools' runners) they are expected to be missing. In the default pool every process has them.
    if ((runner ?? 'default') !== 'default' && missingSecrets.size > 0) {
      target.secretsMissing = notSet([...missingSecrets]);
    } else {
      for (const name of missingSecrets) missing.add(name);
    }
    if (missing.size > 0) target.unavailable = notSet([...missing]);
    targets.set(id, target);
  });
  return { targets, issues, ...(defaultTargetId !== undefined ? { defaultTargetId } : {}) };
}

/** What the targets hold under each key, for checking `{{target.<key>}}` placeholders. */
export function targetShapes(targets: Iterable<Target>): TargetShapes {
  const shapes = new Map<string, { string: boolean; array: boolean }>();
  for (const target of targets) {
    for (const [key, value] of Object.entries(target.vars)) {
      const shape = shapes.get(key) ?? { string: false, array: false };
      if (Array.isArray(value)) shape.array = true;
      else shape.string = true;
      shapes.set(key, shape);
    }
  }
  return shapes;
}
