import { join } from 'node:path';

/** The people of the demo's incident chat; the two leads are the configured Tech Leads. */
export const DEMO_PERSONAS = [
  { openId: 'ou_oncall', name: 'Wang Wei (on-call)', role: 'On-call engineer' },
  { openId: 'ou_lead_a', name: 'Li Na (Tech Lead)', role: 'Tech Lead' },
  { openId: 'ou_lead_b', name: 'Zhang Min (Tech Lead)', role: 'Tech Lead' },
  { openId: 'ou_someone', name: 'Chen Jie', role: 'Someone else' },
];

/** The bot's environment for the demo: the sandbox as Lark, local databases, nothing to edit. */
export function demoEnv(o: {
  root: string;
  botDb: string;
  serviceDb: string;
  redisUrl: string;
  stateDir: string;
  sandboxUrl: string;
  /** How the sandbox reaches the bot: the long connection (what most teams deploy) or the webhook routes. */
  eventMode: 'websocket' | 'webhook';
}): Record<string, string> & {
  INCIDENT_CHAT_IDS: string;
  LARK_SERVICE_URL: string;
  LARK_SERVICE_BACKUP_DIR: string;
  PATH: string;
  HOME: string;
} {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: process.env.LANG ?? 'C.UTF-8',
    LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
    LARK_APP_SECRET: 'demo-app-secret',
    LARK_VERIFICATION_TOKEN: 'demo-verification-token',
    LARK_ENCRYPT_KEY: 'demo-encrypt-key',
    LARK_DOMAIN: o.sandboxUrl,
    LARK_EVENT_MODE: o.eventMode,
    INCIDENT_CHAT_IDS: 'oc_demo_incident',
    TECH_LEAD_OPEN_IDS: 'ou_lead_a,ou_lead_b',
    DATABASE_URL: o.botDb,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: 'rollback-bot-demo',
    RUNBOOKS_DIR: join(o.root, 'runbooks'),
    TIMEZONE: process.env.TIMEZONE ?? 'Asia/Shanghai',
    LOCALE: process.env.LOCALE === 'zh-CN' ? 'zh-CN' : 'en-US',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    LARK_SERVICE_DATABASE_URL: o.serviceDb,
    LARK_SERVICE_URL: process.env.LARK_SERVICE_URL ?? 'http://127.0.0.1:8000',
    LARK_SERVICE_STATE_DIR: join(o.stateDir, 'lark-service'),
    LARK_SERVICE_BACKUP_DIR: join(o.stateDir, 'backups'),
    // The example service's next release is deployed (its migration not yet applied): see "simulate a bad release".
    LARK_SERVICE_ALEMBIC_CONFIG: 'release.ini',
    // With two migrations the drill goes down to base, so the tokens table is gone as the seed's drill checks.
    LARK_SERVICE_DRILL_TO: 'base',
  };
}
