import { createHash } from 'node:crypto';
import { aliasKey, RESERVED_WORDS } from './catalog.js';
import type { RunbookIssue } from './errors.js';
import { located, toIssues } from './issues.js';
import { anchorPattern, type RunbookFile, runbookSchema, type StepFile } from './schema.js';
import { checkSite, type Scope, stepSites, type TargetShapes } from './templates.js';
import type { ParamSpec, Runbook, StepCondition, StepSpec } from './types.js';
import { parseYaml, type YamlSource } from './yaml-source.js';

export interface RunbookResult {
  runbook?: Runbook;
  issues: RunbookIssue[];
  /** The parsed file, to locate problems found later (across files). */
  source?: YamlSource;
}

/**
 * One runbook file: YAML → schema → checks within the file (step ids, reserved words, placeholders). Checks
 * across files (duplicate ids and aliases) are the loader's. `targets` undefined skips target-key checks.
 */
export function readRunbook(file: string, bytes: Buffer, targets: TargetShapes | undefined): RunbookResult {
  const parsed = parseYaml(bytes.toString('utf8'));
  if (!parsed.ok) return { issues: parsed.errors.map((e) => ({ file, path: '', ...e })) };
  const { source } = parsed;
  const result = runbookSchema.safeParse(source.data, { reportInput: true });
  if (!result.success) return { issues: toIssues(file, source, result.error.issues), source };

  const hash = createHash('sha256').update(bytes).digest('hex');
  const runbook = toRunbook(result.data, file, hash);
  const issues: RunbookIssue[] = [];
  const problem = (path: PropertyKey[], message: string) => issues.push(located(file, source, path, message));

  if (RESERVED_WORDS.has(runbook.id)) problem(['id'], `"${runbook.id}" is a /rollback command word`);
  runbook.aliases.forEach((alias, i) => {
    if (RESERVED_WORDS.has(aliasKey(alias)))
      problem(['aliases', i], `"${alias}" is a /rollback command word`);
  });

  const seen = new Map<string, string>();
  const scope: Scope = { params: new Set(Object.keys(runbook.params)), ...(targets ? { targets } : {}) };
  for (const phase of ['preflight', 'steps'] as const) {
    runbook[phase].forEach((step, i) => {
      const where = `${phase}[${i}]`;
      const first = seen.get(step.id);
      if (first) problem([phase, i, 'id'], `duplicate step id "${step.id}" (first used at ${first})`);
      else seen.set(step.id, where);
      for (const site of stepSites(step, [phase, i])) {
        for (const message of checkSite(site, scope)) problem(site.path, message);
      }
      if (step.when) {
        const message = checkCondition(step.when, phase, runbook.params);
        if (message) problem([phase, i, 'when'], message);
      }
    });
  }
  const unless = runbook.refuseOn?.unless;
  if (unless !== undefined && !Object.hasOwn(runbook.params, unless)) {
    problem(['refuse_on', 'unless'], `names no parameter of this runbook: "${unless}"`);
  }
  const downgrade = runbook.steps.findIndex(isDowngrade);
  const backup = runbook.steps.findIndex(isBackup);
  if (downgrade >= 0 && (backup < 0 || backup > downgrade) && !runbook.backupSkipped) {
    problem(
      ['steps', downgrade, 'run'],
      'downgrades with no backup step before it (a step running `{{bot.check}} backup-create` or pg_dump); add one, or say why with `backup: { skipped: "<reason>" }`',
    );
  }
  return issues.length > 0 ? { issues, source } : { runbook, issues, source };
}

/** A `when` names a declared parameter and a value it can take, and only on a step (not in preflight). */
function checkCondition(
  when: StepCondition,
  phase: 'preflight' | 'steps',
  params: Record<string, ParamSpec>,
): string | undefined {
  if (phase === 'preflight') return 'a preflight step cannot have a `when`: every preflight check runs';
  const spec = Object.hasOwn(params, when.param) ? params[when.param] : undefined;
  if (!spec) {
    const known = Object.keys(params).join(', ') || 'none';
    return `when: the runbook declares no parameter "${when.param}" (params: ${known})`;
  }
  const value = 'equals' in when ? when.equals : when.notEquals;
  if (!new RegExp(spec.pattern).test(value))
    return `when: ${when.param} can never be ${JSON.stringify(value)} (its pattern is ${spec.pattern})`;
  return undefined;
}

const argvOf = (step: StepSpec): string[] => (typeof step.run === 'string' ? [step.run] : step.run);
/** `alembic … downgrade …` (the seed's destructive command; its impact is what `/rollback impact` shows). */
export function argvDowngrades(argv: readonly string[] | null | undefined): boolean {
  const at = (argv ?? []).findIndex((a) => /(^|\/)alembic$/.test(a));
  return at >= 0 && (argv ?? []).slice(at + 1).includes('downgrade');
}
const isDowngrade = (step: StepSpec): boolean => argvDowngrades(argvOf(step));
const isBackup = (step: StepSpec): boolean => {
  const argv = argvOf(step);
  return argv.includes('backup-create') || argv.some((a) => /(^|\/)pg_dump$/.test(a));
};

function toRunbook(data: RunbookFile, file: string, hash: string): Runbook {
  const params: Record<string, ParamSpec> = {};
  for (const [name, p] of Object.entries(data.params)) {
    params[name] = {
      pattern: anchorPattern(p.pattern),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.description ? { description: p.description } : {}),
    };
  }
  return {
    id: data.id,
    file,
    hash,
    aliases: data.aliases,
    title: data.title,
    ...(data.description ? { description: data.description } : {}),
    ...(data.rto !== undefined ? { rtoSeconds: data.rto } : {}),
    approval: {
      approvers: data.approval.approvers,
      quorum: data.approval.quorum,
      fourEyes: data.approval.four_eyes,
      expiresInSeconds: data.approval.expires_in,
      required: data.approval.required,
    },
    ...(data.refuse_on
      ? {
          refuseOn: {
            environments: data.refuse_on.environment,
            ...(data.refuse_on.unless ? { unless: data.refuse_on.unless } : {}),
          },
        }
      : {}),
    params,
    ...(data.backup ? { backupSkipped: data.backup.skipped } : {}),
    preflight: data.preflight.map(toStep),
    steps: data.steps.map(toStep),
  };
}

function toStep(step: StepFile): StepSpec {
  return {
    id: step.id,
    title: step.title ?? { 'zh-CN': step.id, 'en-US': step.id },
    run: step.run,
    ...(step.cwd !== undefined ? { cwd: step.cwd } : {}),
    ...(step.env ? { env: step.env } : {}),
    timeoutSeconds: step.timeout,
    idempotent: step.idempotent,
    ...(step.binds ? { binds: true } : {}),
    ...(step.retry ? { retry: { attempts: step.retry.attempts, everySeconds: step.retry.every } } : {}),
    ...(step.when ? { when: toCondition(step.when) } : {}),
  };
}

function toCondition(when: NonNullable<StepFile['when']>): StepCondition {
  return when.equals !== undefined
    ? { param: when.param, equals: when.equals }
    : { param: when.param, notEquals: when.not_equals ?? '' };
}
