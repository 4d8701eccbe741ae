import { APP, APP_ID, BOT_OPEN_ID, CHATS, LEAD_A, LEAD_B } from './lark-bodies.js';
import { REDIS_URL } from './scratch.js';

/** The bot's environment for the bench: the bench app, its chats and leads, a scratch database and prefix. */
export function botEnv(options: {
  databaseUrl: string;
  queuePrefix: string;
  runbooksDir?: string;
  targetsFile?: string;
  markerDir?: string;
  larkDomain?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LARK_APP_ID: APP_ID,
    LARK_APP_SECRET: APP.appSecret,
    LARK_VERIFICATION_TOKEN: APP.verificationToken,
    LARK_ENCRYPT_KEY: APP.encryptKey,
    // Known up front, so the server does not ask Lark for it (the throughput benches run without a sandbox).
    LARK_BOT_OPEN_ID: BOT_OPEN_ID,
    LARK_DOMAIN: options.larkDomain ?? 'http://127.0.0.1:9',
    INCIDENT_CHAT_IDS: CHATS.join(','),
    TECH_LEAD_OPEN_IDS: `${LEAD_A},${LEAD_B}`,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: options.queuePrefix,
    RUNBOOKS_DIR: options.runbooksDir ?? 'bench/fixtures/runbooks',
    ...(options.targetsFile ? { TARGETS_FILE: options.targetsFile } : {}),
    BENCH_MARKER_DIR: options.markerDir ?? '/tmp',
    TIMEZONE: 'Asia/Shanghai',
    LOCALE: 'en-US',
    LOG_LEVEL: 'info',
    ...options.extra,
  };
}
