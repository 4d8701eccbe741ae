import type { RenderOptions } from '../../cards/model.js';
import { type Env, loadConfig } from '../config/env.js';
import { createPool, type Pool } from '../db/pool.js';
import { loadCatalog } from '../runbooks/load.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import type { Catalog } from '../runbooks/types.js';
import { newRunId } from '../runs/ids.js';
import type { JobPort, RunsDeps } from '../runs/ports.js';
import { parseDurationList, positiveDurationMs } from '../util/duration.js';
import { createLogger, type Logger } from '../util/logger.js';

/** What every process of the bot shares: config, catalog, pool, logger. Built once at start-up. */
export interface Context {
  config: Env;
  catalog: Catalog;
  pool: Pool;
  log: Logger;
  redact: (text: string) => string;
  render: RenderOptions;
  baseDir: string;
  stepBaseEnv: Record<string, string>;
}

export interface ContextOverrides {
  env?: Record<string, string | undefined>;
  baseDir?: string;
  logDestination?: NodeJS.WritableStream;
  logLevel?: string;
}

/** The bot's own secrets, and every target's, for redaction in logs. */
function secretsOf(config: Env, catalog: Catalog): string[] {
  const url = (u: string) => {
    try {
      return decodeURIComponent(new URL(u).password);
    } catch {
      return '';
    }
  };
  return [
    config.LARK_APP_SECRET,
    config.LARK_VERIFICATION_TOKEN,
    config.LARK_ENCRYPT_KEY,
    url(config.DATABASE_URL),
    url(config.REDIS_URL),
    ...[...catalog.targets.values()].flatMap(secretsOfTarget),
  ].filter(Boolean);
}

export function buildContext(overrides: ContextOverrides = {}): Context {
  const env = overrides.env ?? process.env;
  const config = loadConfig(env);
  const baseDir = overrides.baseDir ?? process.cwd();
  const catalog = loadCatalog({ dir: config.RUNBOOKS_DIR, targetsFile: config.TARGETS_FILE, env });
  const redact = createRedactor(secretsOf(config, catalog));
  const log = createLogger({
    level: overrides.logLevel ?? config.LOG_LEVEL,
    redact,
    ...(overrides.logDestination ? { destination: overrides.logDestination } : {}),
  });
  const stepBaseEnv: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG'] as const) {
    const value = env[key];
    if (value) stepBaseEnv[key] = value;
  }
  stepBaseEnv.TZ = config.TIMEZONE;
  return {
    config,
    catalog,
    pool: createPool(config.DATABASE_URL),
    log,
    redact,
    render: { timezone: config.TIMEZONE, locale: config.LOCALE },
    baseDir,
    stepBaseEnv,
  };
}

export function runsDeps(ctx: Context, jobs: JobPort): RunsDeps {
  return {
    pool: ctx.pool,
    catalog: () => ctx.catalog,
    policy: {
      incidentChatIds: ctx.config.INCIDENT_CHAT_IDS,
      techLeadOpenIds: ctx.config.TECH_LEAD_OPEN_IDS,
      requesterOpenIds: ctx.config.REQUESTER_OPEN_IDS,
      window: { text: ctx.config.RECOMMENDED_WINDOW, timezone: ctx.config.TIMEZONE },
      timezone: ctx.config.TIMEZONE,
      schedule: {
        maxAheadMs: positiveDurationMs(ctx.config.SCHEDULE_MAX_AHEAD) ?? 7 * 86_400_000,
        remindersMs: parseDurationList(ctx.config.SCHEDULE_REMINDERS) ?? [],
        noticeMs: positiveDurationMs(ctx.config.SCHEDULE_NOTICE) ?? 86_400_000,
      },
    },
    jobs,
    now: Date.now,
    newRunId,
    baseDir: ctx.baseDir,
    stepBaseEnv: ctx.stepBaseEnv,
    log: ctx.log,
  };
}
