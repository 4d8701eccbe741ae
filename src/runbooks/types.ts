import type { I18nText } from '../../cards/model.js';

/** A validated runbook, as loaded from `runbooks/<id>.yaml`. */
export interface Runbook {
  id: string;
  /** Path of the file it came from (for messages). */
  file: string;
  /** sha256 of the file's bytes: part of the plan an approval binds to. */
  hash: string;
  aliases: string[];
  title: I18nText;
  description?: I18nText;
  /** RTO budget in seconds, if the runbook declares one. */
  rtoSeconds?: number;
  approval: {
    approvers: 'tech_leads';
    quorum: number;
    fourEyes: boolean;
    expiresInSeconds: number;
    /** False: runs when its preflight passes, with no approval (read-only runbooks such as precheck). */
    required: boolean;
  };
  /** Refused on targets whose `environment` is listed, unless the request sets `unless` (a param) to yes. */
  refuseOn?: { environments: string[]; unless?: string };
  params: Record<string, ParamSpec>;
  preflight: StepSpec[];
  steps: StepSpec[];
  /** Why this runbook downgrades without a backup step before it (`backup: { skipped: … }`). */
  backupSkipped?: string;
}

export interface ParamSpec {
  /** When absent, the parameter is required. */
  default?: string;
  /** Anchored regular expression the value must match (source text, for messages). */
  pattern: string;
  description?: I18nText;
}

/** A step as written: `run` is an argv template or a single `{{target.x}}` placeholder naming an argv. */
export interface StepSpec {
  id: string;
  title: I18nText;
  run: string[] | string;
  cwd?: string;
  /** Extra environment for this step (templated like argv). */
  env?: Record<string, string>;
  timeoutSeconds: number;
  idempotent: boolean;
  retry?: { attempts: number; everySeconds: number };
  /** Preflight only: its output is the observed state the approval binds to; re-checked before mutating. */
  binds?: boolean;
  /** Run only when this holds; otherwise the step ends `skipped` (the runbook's `when`). */
  when?: StepCondition;
}

/** `when: { param, equals }` or `{ param, not_equals }`. */
export type StepCondition = { param: string; equals: string } | { param: string; notEquals: string };

/** A validated target from `targets.yaml`, with `${VAR}` already expanded from the bot's environment. */
export interface Target {
  id: string;
  default: boolean;
  /** Environment passed to every step; every value is a secret for redaction. */
  env: Record<string, string>;
  /** Passed to every step too, but not redacted (URLs, paths): the `public_env` key. */
  publicEnv?: Record<string, string>;
  /** Every other key of the target (`alembic_dir`, `app_url`, `stop_app`, …), expanded. */
  vars: Record<string, string | string[]>;
  /** Set when a `${VAR}` had no value and no default: the target cannot be chosen. */
  unavailable?: string;
  /**
   * A target of a named runner pool whose `env` this process cannot fill: fine on the server and on other pools'
   * runners; a runner of its pool with this set does not announce the target and does not run it.
   */
  secretsMissing?: string;
  /** The runner pool that executes this target's steps (the loader sets it; absent means 'default'). */
  runner?: string;
  /** Where the target may be requested (default INCIDENT_CHAT_IDS), with a name for replies when given. */
  chats?: { id: string; name?: string }[];
  /** Its Tech Leads (default TECH_LEAD_OPEN_IDS). */
  approvers?: string[];
  /** Overrides of the runbook's approval settings on this target. */
  approval?: { quorum?: number; fourEyes?: boolean; expiresInSeconds?: number };
}

/** A step ready to spawn: placeholders filled, paths resolved. */
export interface ResolvedStep {
  idx: number;
  id: string;
  title: I18nText;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  idempotent: boolean;
  retry?: { attempts: number; everyMs: number };
  binds?: boolean;
  /** Set when the step's `when` does not hold for these parameters: why it is skipped (nothing is spawned). */
  skip?: I18nText;
}

export interface Catalog {
  runbooks: Map<string, Runbook>;
  /** alias (and id) → runbook id; case-insensitive for ASCII. */
  aliases: Map<string, string>;
  targets: Map<string, Target>;
  defaultTargetId?: string;
}
