import type { StepSpec } from './types.js';

/**
 * Placeholders in runbook strings: `{{params.<name>}}`, `{{target.<key>}}`, `{{run.id}}`. They are filled
 * into argv elements, `cwd` and `env` values; nothing ever goes through a shell.
 */

export interface Ref {
  kind: 'params' | 'target' | 'run' | 'bot';
  name: string;
  /** As written, braces included: `{{target.logs}}`. */
  raw: string;
}

export type Segment = string | Ref;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const REF = /^\s*(params|target|run|bot)\.([A-Za-z0-9_-]+)\s*$/;
const RUN_NAMES = new Set(['id']);
/** `{{bot.check}}`: the bot's own check program (see bot-argv.ts). */
const BOT_NAMES = new Set(['check']);

/** Split `text` into literal text and placeholders; `unknown` lists the placeholders that name nothing. */
export function parseTemplate(text: string): { segments: Segment[]; unknown: string[] } {
  const segments: Segment[] = [];
  const unknown: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const raw = match[0];
    const ref = REF.exec(match[1] ?? '');
    if (match.index > last) segments.push(text.slice(last, match.index));
    const kind = ref?.[1] as Ref['kind'] | undefined;
    const name = ref?.[2];
    const known =
      kind === 'run' ? RUN_NAMES.has(name ?? '') : kind === 'bot' ? BOT_NAMES.has(name ?? '') : true;
    if (kind && name && known) segments.push({ kind, name, raw });
    else {
      unknown.push(raw);
      segments.push(raw);
    }
    last = match.index + raw.length;
  }
  if (last < text.length) segments.push(text.slice(last));
  return { segments, unknown };
}

/** When `text` is exactly one `{{target.<key>}}`, that key (the argv-from-target form). */
export function wholeTargetRef(text: string): string | undefined {
  const { segments } = parseTemplate(text);
  const only = segments[0];
  return segments.length === 1 && typeof only === 'object' && only.kind === 'target' ? only.name : undefined;
}

/** Where a template sits: `run` (the string form of run), `argv` (one element), `text` (cwd, env value). */
export type Position = 'run' | 'argv' | 'text';

export interface Site {
  path: PropertyKey[];
  text: string;
  position: Position;
}

/** Every template of a step, with its path inside the runbook file. */
export function stepSites(step: StepSpec, base: PropertyKey[]): Site[] {
  const sites: Site[] = [];
  if (typeof step.run === 'string') sites.push({ path: [...base, 'run'], text: step.run, position: 'run' });
  else {
    for (const [i, arg] of step.run.entries())
      sites.push({ path: [...base, 'run', i], text: arg, position: 'argv' });
  }
  if (step.cwd !== undefined) sites.push({ path: [...base, 'cwd'], text: step.cwd, position: 'text' });
  for (const [key, value] of Object.entries(step.env ?? {})) {
    sites.push({ path: [...base, 'env', key], text: value, position: 'text' });
  }
  return sites;
}

/** What the targets hold under each key: a string in some, an argv list in some. */
export type TargetShapes = ReadonlyMap<string, { string: boolean; array: boolean }>;

export interface Scope {
  params: ReadonlySet<string>;
  /** Undefined when the targets file could not be read: target keys are then not checked. */
  targets?: TargetShapes;
}

/** Problems with one template, worded for a person; empty when it is fine. */
export function checkSite(site: Site, scope: Scope): string[] {
  const problems: string[] = [];
  const { segments, unknown } = parseTemplate(site.text);
  for (const raw of unknown) {
    problems.push(
      `unknown placeholder ${raw}; use {{params.<name>}}, {{target.<key>}}, {{run.id}} or {{bot.check}}`,
    );
  }
  if (site.position === 'run' && wholeTargetRef(site.text) === undefined) {
    problems.push(
      `run must be an argv list like [alembic, current], or exactly "{{target.<key>}}" naming an argv list of the target; got ${JSON.stringify(site.text)}`,
    );
    return problems;
  }
  const standalone = site.position !== 'text' && segments.length === 1;
  for (const segment of segments) {
    if (typeof segment === 'string') continue;
    if (segment.kind === 'bot' && (site.position !== 'argv' || segments.length !== 1)) {
      problems.push(`${segment.raw} is an argv list; it can only stand alone as a whole argv element`);
    }
    if (segment.kind === 'params' && !scope.params.has(segment.name)) {
      const known = [...scope.params].join(', ') || 'none';
      problems.push(`${segment.raw}: the runbook declares no parameter "${segment.name}" (params: ${known})`);
    }
    if (segment.kind === 'target' && scope.targets && segment.name !== 'id') {
      const shape = scope.targets.get(segment.name);
      if (!shape) problems.push(`${segment.raw}: no target defines "${segment.name}"`);
      else if (shape.array && !standalone) {
        problems.push(
          `${segment.raw} is an argv list in some target; it can only stand alone as a whole argv element or run`,
        );
      }
    }
  }
  return problems;
}
