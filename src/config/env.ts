import { z } from 'zod';
import { parseDurationList, positiveDurationMs } from '../util/duration.js';

/**
 * The bot's whole configuration: one schema over the environment names of DESIGN.md's Contract.
 * Parsed once at start-up; nothing deeper reads process.env. No secret has a default.
 */

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const required = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`);

const domain = z
  .string()
  .default('feishu')
  .refine((value) => ['feishu', 'lark'].includes(value) || /^https?:\/\/[^\s/]+(:\d+)?$/.test(value), {
    message: 'must be feishu, lark, or a base URL without a trailing slash (e.g. http://127.0.0.1:4000)',
  });

const timezone = z
  .string()
  .default('Asia/Shanghai')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Asia/Shanghai' },
  );

export const envSchema = z.object({
  LARK_APP_ID: required('LARK_APP_ID'),
  LARK_APP_SECRET: required('LARK_APP_SECRET'),
  /** Required in webhook mode (checked in loadConfig); the long connection carries no token. */
  LARK_VERIFICATION_TOKEN: z.string().trim().default(''),
  /**
   * How Lark reaches the bot: `webhook` (two public HTTPS routes) or `websocket` (the SDK's long connection,
   * outbound only: no public URL, no encrypt key, no token).
   */
  LARK_EVENT_MODE: z.enum(['webhook', 'websocket']).default('webhook'),
  /** Empty means "no encryption"; signatures are then checked with an empty key (fails closed if absent). */
  LARK_ENCRYPT_KEY: z.string().default(''),
  LARK_DOMAIN: domain,
  LARK_BOT_OPEN_ID: z.string().trim().optional(),
  INCIDENT_CHAT_IDS: csv.refine((ids) => ids.length > 0, { message: 'needs at least one chat id (oc_…)' }),
  TECH_LEAD_OPEN_IDS: csv.refine((ids) => ids.length > 0, { message: 'needs at least one open_id (ou_…)' }),
  REQUESTER_OPEN_IDS: csv,
  DATABASE_URL: required('DATABASE_URL').refine((url) => /^postgres(ql)?:\/\//.test(url), {
    message: 'must be a postgres:// URL',
  }),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((url) => /^rediss?:\/\//.test(url), { message: 'must be a redis:// URL' }),
  QUEUE_PREFIX: z
    .string()
    .default('rollback-bot')
    .refine((p) => /^[A-Za-z0-9_.-]{1,64}$/.test(p), { message: 'letters, digits, _ . - only' }),
  RUNBOOKS_DIR: z.string().default('./runbooks'),
  TARGETS_FILE: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  TIMEZONE: timezone,
  LOCALE: z.enum(['zh-CN', 'en-US']).default('zh-CN'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The seed's recommended rollback window (business low): outside it the approval card says so. */
  RECOMMENDED_WINDOW: z
    .string()
    .default('02:00-04:00')
    .refine((w) => /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(w), {
      message: 'must look like 02:00-04:00',
    }),
  /**
   * Runner pools this worker executes runs for (targets name theirs with `runner:`). Delivery, the sweep and
   * expiry run on every worker whatever its pools.
   */
  WORKER_POOLS: csv
    .transform((pools) => (pools.length > 0 ? pools : ['default']))
    .refine((pools) => pools.every((p) => /^[a-z][a-z0-9-]{0,39}$/.test(p)), {
      message: 'pool names are lowercase letters, digits and -',
    }),
  /** Before a scheduled run's start (`at=`): when the chat is reminded, e.g. `24h,10m` (s, m, h, d). */
  SCHEDULE_REMINDERS: z
    .string()
    .default('24h,10m')
    .refine((v) => parseDurationList(v) !== undefined, {
      message: 'must look like 24h,10m (units s, m, h, d)',
    }),
  /** How far ahead `at=` may schedule a run, e.g. `7d`. */
  SCHEDULE_MAX_AHEAD: z
    .string()
    .default('7d')
    .refine((v) => positiveDurationMs(v) !== undefined, { message: 'must look like 7d (units s, m, h, d)' }),
  /** The seed's notice period: a run scheduled to start sooner gets a warning on its card. */
  SCHEDULE_NOTICE: z
    .string()
    .default('24h')
    .refine((v) => positiveDurationMs(v) !== undefined, { message: 'must look like 24h (units s, m, h, d)' }),
  /** Runs one worker process executes at once (on different targets). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** BullMQ lock on an executing job; a worker that dies is noticed after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How often a worker re-triggers what Postgres says is owed (undelivered messages, lost jobs). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(5000),
  /** On SIGTERM, how long a running step may go on before it is killed and recorded interrupted. */
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Port of the worker's own /metrics; 0 = off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function problemsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    return issue.message.startsWith(name) ? issue.message : `${name} ${issue.message}`;
  });
}

/** Parse the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(env);
  if (result.success) {
    const config = result.data;
    const modeProblems = problemsOfMode(env);
    if (modeProblems.length > 0) throw new ConfigError(modeProblems);
    if (!config.TARGETS_FILE) config.TARGETS_FILE = `${config.RUNBOOKS_DIR.replace(/\/$/, '')}/targets.yaml`;
    return config;
  }
  throw new ConfigError([...problemsOf(result.error.issues), ...problemsOfMode(env)]);
}

/** What the event mode needs: webhook mode checks a verification token on every request. */
function problemsOfMode(env: Record<string, string | undefined>): string[] {
  const webhook = (env.LARK_EVENT_MODE ?? 'webhook') === 'webhook';
  return webhook && !env.LARK_VERIFICATION_TOKEN?.trim() ? ['LARK_VERIFICATION_TOKEN is required'] : [];
}

/**
 * Only the variables one command uses (e.g. `export` and `migrate` need DATABASE_URL and nothing of Lark):
 * the same rules and defaults as loadConfig, over a subset of names.
 */
export function loadConfigOf<K extends keyof Env>(
  keys: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Pick<Env, K> {
  const shape = Object.fromEntries(keys.map((k) => [k, envSchema.shape[k]]));
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data as unknown as Pick<Env, K>;
  throw new ConfigError(problemsOf(result.error.issues));
}
