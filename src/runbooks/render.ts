import { isAbsolute, resolve } from 'node:path';
import type { I18nText } from '../../cards/model.js';
import { botCheckArgv } from './bot-argv.js';
import { RunbookError, type RunbookIssue } from './errors.js';
import { validateParams } from './params.js';
import { parseTemplate, stepSites, wholeTargetRef } from './templates.js';
import type { ResolvedStep, Runbook, StepCondition, StepSpec, Target } from './types.js';

export { type ParamError, type ParamsResult, validateParams } from './params.js';

export interface RenderOptions {
  /** Filled into `{{run.id}}`. */
  runId: string;
  /** The bot's working directory: relative `cwd`s and relative programs (`./…`, `../…`) resolve against it. */
  baseDir: string;
  /**
   * Where `PATH`, `HOME`, `LANG` and `TZ` come from (pass `process.env` or the config); nothing else of it
   * reaches a step. @defaultValue `{}` (then PATH is a standard system PATH)
   */
  extraEnv?: Record<string, string | undefined>;
}

const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'TZ'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Steps ready to spawn: placeholders filled from validated params, the target and the run id, argv lists from
 * the target spliced in, paths resolved, a minimal environment. Throws RunbookError (RUNBOOK_RENDER) naming
 * every problem: an unavailable target, a key the target lacks, a parameter that does not validate.
 */
export function renderSteps(
  runbook: Runbook,
  phase: 'preflight' | 'steps',
  target: Target,
  params: Record<string, string>,
  options: RenderOptions,
): ResolvedStep[] {
  const fail = (issues: RunbookIssue[]) => new RunbookError('RUNBOOK_RENDER', issues);
  if (target.unavailable) {
    throw fail([
      { file: runbook.file, path: '', message: `target ${target.id} is unavailable: ${target.unavailable}` },
    ]);
  }
  const checked = validateParams(runbook, params);
  if (!checked.ok)
    throw fail(checked.errors.map((e) => ({ file: runbook.file, path: 'params', message: e.message })));

  const baseDir = resolve(options.baseDir);
  const baseEnv: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const name of PASSED_ENV) {
    const value = options.extraEnv?.[name];
    if (value) baseEnv[name] = value;
  }
  const values = { params: checked.params, target, runId: options.runId };
  const issues: RunbookIssue[] = [];
  const steps = runbook[phase].map((step, idx): ResolvedStep => {
    const problem = (path: string, message: string) => issues.push({ file: runbook.file, path, message });
    const where = `${phase}[${idx}]`;
    const argv = renderArgv(step, values, (path, message) => problem(`${where}.run${path}`, message));
    const program = argv[0];
    if (program === undefined || program === '') problem(`${where}.run`, 'the program name is empty');
    else if (program.startsWith('./') || program.startsWith('../')) argv[0] = resolve(baseDir, program);

    const cwdText = step.cwd === undefined ? '' : fill(step.cwd, values, (m) => problem(`${where}.cwd`, m));
    const cwd = cwdText === '' ? baseDir : isAbsolute(cwdText) ? cwdText : resolve(baseDir, cwdText);
    const env: Record<string, string> = { ...baseEnv, ...target.publicEnv, ...target.env };
    for (const [key, value] of Object.entries(step.env ?? {})) {
      env[key] = fill(value, values, (m) => problem(`${where}.env.${key}`, m));
    }
    return {
      idx,
      id: step.id,
      title: step.title,
      argv,
      cwd,
      env,
      timeoutMs: step.timeoutSeconds * 1000,
      idempotent: step.idempotent,
      ...(step.binds ? { binds: true } : {}),
      ...(step.when ? skipOf(step.when, checked.params) : {}),
      ...(step.retry
        ? { retry: { attempts: step.retry.attempts, everyMs: step.retry.everySeconds * 1000 } }
        : {}),
    };
  });
  if (issues.length > 0) throw fail(issues);
  return steps;
}

/**
 * Why a step with a `when` is skipped under these parameters (`{ skip: reason }`), or `{}` when it runs. The
 * reason names the parameter as written in chat (`restore=no`), the same in both languages but for the words.
 */
export function skipOf(when: StepCondition, params: Record<string, string>): { skip?: I18nText } {
  const value = params[when.param] ?? '';
  const actual = `${when.param}=${value}`;
  if ('equals' in when) {
    if (value === when.equals) return {};
    const wanted = `${when.param}=${when.equals}`;
    return {
      skip: {
        'zh-CN': `${actual}，无需执行（仅在 ${wanted} 时执行）`,
        'en-US': `${actual}, not needed (runs only when ${wanted})`,
      },
    };
  }
  if (value !== when.notEquals) return {};
  return {
    skip: {
      'zh-CN': `${actual}，无需执行（${actual} 时不执行）`,
      'en-US': `${actual}, not needed (not run when ${actual})`,
    },
  };
}

/** Keys the runbook's templates name (`{{target.<key>}}`) that `target` does not define; sorted. */
export function missingTargetKeys(runbook: Runbook, target: Target): string[] {
  const missing = new Set<string>();
  for (const phase of ['preflight', 'steps'] as const) {
    for (const step of runbook[phase]) {
      for (const site of stepSites(step, [])) {
        for (const segment of parseTemplate(site.text).segments) {
          if (typeof segment === 'object' && segment.kind === 'target' && segment.name !== 'id') {
            if (!Object.hasOwn(target.vars, segment.name)) missing.add(segment.name);
          }
        }
      }
    }
  }
  return [...missing].sort();
}

interface Values {
  params: Record<string, string>;
  target: Target;
  runId: string;
}

type Report = (message: string) => void;

function renderArgv(
  step: StepSpec,
  values: Values,
  report: (path: string, message: string) => void,
): string[] {
  if (typeof step.run === 'string') {
    const key = wholeTargetRef(step.run);
    const value = key === undefined ? undefined : lookupTarget(values.target, key);
    if (value === undefined) {
      report('', `run ${JSON.stringify(step.run)} names no argv of target ${values.target.id}`);
      return [];
    }
    return Array.isArray(value) ? [...value] : [value];
  }
  return step.run.flatMap((arg, i) => {
    if (/^\{\{\s*bot\.check\s*\}\}$/.test(arg)) return botCheckArgv();
    const key = wholeTargetRef(arg);
    const value = key === undefined ? undefined : lookupTarget(values.target, key);
    if (Array.isArray(value)) return [...value];
    return [fill(arg, values, (m) => report(`[${i}]`, m))];
  });
}

/** One string with its placeholders filled; argv lists are refused here (only whole elements splice). */
function fill(text: string, values: Values, report: Report): string {
  const { segments, unknown } = parseTemplate(text);
  for (const raw of unknown) report(`unknown placeholder ${raw}`);
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'string') {
      out += segment;
      continue;
    }
    let value: string | string[] | undefined;
    if (segment.kind === 'bot') value = botCheckArgv();
    else if (segment.kind === 'run') value = values.runId;
    else if (segment.kind === 'params') {
      value = Object.hasOwn(values.params, segment.name) ? values.params[segment.name] : undefined;
    } else value = lookupTarget(values.target, segment.name);
    if (value === undefined) {
      const owner = segment.kind === 'target' ? `target ${values.target.id}` : 'the parameters';
      report(`${segment.raw}: ${owner} has no "${segment.name}"`);
    } else if (Array.isArray(value)) {
      report(`${segment.raw} is an argv list in target ${values.target.id}; it cannot be part of a string`);
    } else out += value;
  }
  return out;
}

function lookupTarget(target: Target, key: string): string | string[] | undefined {
  if (key === 'id') return target.id;
  return Object.hasOwn(target.vars, key) ? target.vars[key] : undefined;
}
