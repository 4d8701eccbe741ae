import { z } from 'zod';
import { describeValue } from './describe.js';
import { MAX_DURATION_SECONDS, parseDuration } from './duration.js';

/**
 * Zod schemas of the two file formats (DESIGN.md, "Contract"): `runbooks/<name>.yaml` and `targets.yaml`.
 * Objects are strict (an unknown key is an error); durations come out as seconds. Checks that need more than
 * one file (placeholders, duplicates across files) live in the loader.
 */

export const ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
/** Same as the chat grammar's `key=value` keys (src/commands/parse.ts). */
export const PARAM_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,39}$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Keys of a target that placeholders can name: `{{target.alembic_dir}}`. */
export const TARGET_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** Aliases are typed in chat after `/rollback`: no spaces, no `=` (that starts a parameter). */
const ALIAS_PATTERN = /^[^\s=]{1,40}$/;

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path });
}

const text = z.string().min(1);

const id = z.string().superRefine((value, ctx) => {
  if (!ID_PATTERN.test(value)) {
    fail(
      ctx,
      `must be lowercase letters, digits and "-" (${ID_PATTERN.source}), got ${describeValue(value)}`,
    );
  }
});

const alias = z.string().superRefine((value, ctx) => {
  if (!ALIAS_PATTERN.test(value)) {
    fail(ctx, `an alias is 1 to 40 characters without spaces or "=", got ${describeValue(value)}`);
  }
});

/** A duration in seconds; at least `min` seconds. */
function duration(min: number) {
  return z.unknown().transform((value, ctx) => {
    const seconds = typeof value === 'string' ? parseDuration(value) : undefined;
    if (seconds === undefined) {
      fail(ctx, `expected a duration like 90s, 10m or 1h, got ${describeValue(value)}`);
      return z.NEVER;
    }
    if (seconds < min || seconds > MAX_DURATION_SECONDS) {
      fail(ctx, `must be between ${min}s and 24h, got ${describeValue(value)}`);
      return z.NEVER;
    }
    return seconds;
  });
}

export const i18nSchema = z.strictObject({ 'zh-CN': text, 'en-US': text });
/** A description may be one string for both languages. */
const i18nOrString = z.preprocess(
  (value) => (typeof value === 'string' ? { 'zh-CN': value, 'en-US': value } : value),
  i18nSchema,
);

function envRecord() {
  return z.record(z.string(), z.string()).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (!ENV_NAME_PATTERN.test(key))
        fail(ctx, `not an environment variable name: ${describeValue(key)}`, [key]);
    }
  });
}

/** The compiled, anchored form of a parameter pattern. */
export function anchorPattern(source: string): string {
  return /^\^/.test(source) && /(^|[^\\])\$$/.test(source) ? source : `^(?:${source})$`;
}

const paramSchema = z
  .strictObject({ default: z.string().optional(), pattern: text, description: i18nOrString.optional() })
  .superRefine((param, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(anchorPattern(param.pattern));
    } catch (error) {
      fail(ctx, `not a valid regular expression: ${(error as Error).message}`, ['pattern']);
      return;
    }
    if (param.default !== undefined && !re.test(param.default)) {
      fail(
        ctx,
        `the default ${describeValue(param.default)} does not match ${anchorPattern(param.pattern)}`,
        ['default'],
      );
    }
  });

const paramsSchema = z.record(z.string(), paramSchema).superRefine((params, ctx) => {
  for (const key of Object.keys(params)) {
    if (!PARAM_NAME_PATTERN.test(key)) {
      fail(ctx, `a parameter name is lowercase letters, digits and "_", got ${describeValue(key)}`, [key]);
    }
  }
});

/** `run`: an argv array of strings, or one string that is exactly `{{target.<key>}}` (checked by the loader). */
const runSchema = z.unknown().transform((value, ctx): string[] | string => {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) {
    fail(
      ctx,
      `expected an argv list like [alembic, current] or "{{target.<key>}}", got ${describeValue(value)}`,
    );
    return z.NEVER;
  }
  if (value.length === 0) fail(ctx, 'the argv list is empty');
  value.forEach((arg, i) => {
    if (typeof arg !== 'string') {
      const hint = typeof arg === 'number' || typeof arg === 'boolean' ? ` (quote it: "${String(arg)}")` : '';
      fail(ctx, `expected a string, got ${describeValue(arg)}${hint}`, [i]);
    } else if (i === 0 && arg.trim() === '') fail(ctx, 'the program name is empty', [i]);
  });
  return value as string[];
});

/**
 * `when: { param: restore, equals: "yes" }` (or `not_equals`): the step runs only when the parameter has (or has
 * not) that value; otherwise it ends `skipped` with the reason, and nothing is spawned. Exactly one of the two.
 */
const whenSchema = z
  .strictObject({ param: text, equals: z.string().optional(), not_equals: z.string().optional() })
  .superRefine((when, ctx) => {
    if ((when.equals === undefined) === (when.not_equals === undefined))
      fail(ctx, 'give exactly one of equals or not_equals, e.g. { param: restore, equals: "yes" }');
  });

const stepSchema = z.strictObject({
  id,
  title: i18nSchema.optional(),
  run: runSchema,
  cwd: text.optional(),
  env: envRecord().optional(),
  timeout: duration(1).default(600),
  idempotent: z.boolean().default(false),
  retry: z.strictObject({ attempts: z.int().min(1).max(100), every: duration(0) }).optional(),
  /** Preflight only: the step's output is part of the plan an approval binds to (e.g. the current revision). */
  binds: z.boolean().default(false),
  /** Steps only: run the step only under a parameter's value (see whenSchema). */
  when: whenSchema.optional(),
});

export const runbookSchema = z.strictObject({
  id,
  aliases: z.array(alias).default([]),
  title: i18nSchema,
  description: i18nOrString.optional(),
  rto: duration(1).optional(),
  approval: z
    .strictObject({
      approvers: z.literal('tech_leads').default('tech_leads'),
      quorum: z.int().min(1).max(20).default(1),
      four_eyes: z.boolean().default(true),
      expires_in: duration(1).default(600),
      /** `false`: a read-only runbook runs as soon as its preflight passes, with no Tech Lead's approval. */
      required: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * Targets this runbook refuses by their `environment:` (e.g. the drill on `production`), unless the request
   * sets the named yes/no parameter to yes (`production=yes`).
   */
  refuse_on: z.strictObject({ environment: z.array(text).min(1), unless: text.optional() }).optional(),
  params: paramsSchema.default({}),
  preflight: z.array(stepSchema).default([]),
  steps: z.array(stepSchema).min(1),
  /** A runbook that downgrades without taking a backup first must say why (shown on the approval card). */
  backup: z.strictObject({ skipped: text }).optional(),
});

export type RunbookFile = z.output<typeof runbookSchema>;
export type StepFile = z.output<typeof stepSchema>;

/** A target's extra key: a string, or a non-empty argv list of strings. */
const targetValue = z.unknown().transform((value, ctx): string | string[] => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  const hint =
    typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: "${String(value)}")` : '';
  fail(ctx, `expected a string or a non-empty list of strings, got ${describeValue(value)}${hint}`);
  return z.NEVER;
});

const chatId = z.string().regex(/^oc_[A-Za-z0-9_-]{1,64}$/, 'expected a chat id like oc_…');
const openId = z.string().regex(/^ou_[A-Za-z0-9_-]{1,64}$/, 'expected an open_id like ou_…');

const targetSchema = z
  .object({
    id,
    default: z.boolean().default(false),
    env: envRecord().default({}),
    /** Passed to steps like `env`, but not secret (URLs, paths): shown as is in output. */
    public_env: envRecord().default({}),
    /** The runner pool whose workers run this target's steps (`rollback-bot worker --pools …`). */
    runner: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a pool name: lowercase letters, digits and -')
      .default('default'),
    /** Incident groups where this target may be requested (default INCIDENT_CHAT_IDS); a name for replies. */
    chats: z
      .array(z.union([chatId, z.strictObject({ id: chatId, name: text })]))
      .min(1)
      .optional(),
    /** This target's Tech Leads (default TECH_LEAD_OPEN_IDS). */
    approvers: z.array(openId).min(1).optional(),
    /** Overrides of the runbook's approval for this target. */
    approval: z
      .strictObject({
        quorum: z.int().min(1).max(20).optional(),
        four_eyes: z.boolean().optional(),
        expires_in: duration(1).optional(),
      })
      .optional(),
  })
  .catchall(targetValue)
  .superRefine((target, ctx) => {
    for (const key of Object.keys(target)) {
      if (!TARGET_KEY_PATTERN.test(key)) fail(ctx, `not a usable key name: ${describeValue(key)}`, [key]);
    }
  });

export const targetsFileSchema = z.strictObject({ targets: z.array(targetSchema).min(1) });

export type TargetFile = z.output<typeof targetSchema>;
