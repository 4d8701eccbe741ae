import { durationI18n } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import { CheckFailure, durationFlag, formatDuration, intFlag, type Parsed, UsageError } from './args.js';
import type { Ctx } from './context.js';
import { withDb } from './context.js';
import { appConnections, connectionLimits, idleInTransaction, type StuckSession } from './db-activity.js';
import { said } from './result.js';

/** pg_stat_activity's states, as a Chinese reader says them. */
const STATE_ZH: Record<string, string> = {
  active: '活动',
  idle: '空闲',
  'idle in transaction': '事务中空闲',
  'idle in transaction (aborted)': '事务中空闲（已中止）',
  fastpath: '快速路径调用',
  disabled: '未统计',
};

/** Where a target can name its app's connections without a new key (the target's `public_env`). */
export const APP_NAME_ENV = 'APP_DB_APPLICATION_NAME';

/** `90%` of max_connections, or a number of connections. */
function usedLimit(text: string, max: number): number {
  const pct = /^(\d{1,3})%$/.exec(text);
  if (pct) {
    const n = Number(pct[1]);
    if (n < 1 || n > 100) throw new UsageError(`--max-used: a percentage from 1% to 100%, got ${text}`);
    return Math.floor((max * n) / 100);
  }
  if (/^\d{1,6}$/.test(text)) return Number(text);
  throw new UsageError(
    `--max-used: a percentage of max_connections (90%) or a number, got ${JSON.stringify(text)}`,
  );
}

function stuckLine(s: StuckSession): string {
  const who = [s.user ?? '?', s.app ? `"${s.app}"` : ''].filter(Boolean).join(' ');
  return `  pid ${s.pid} (${who}): ${s.state} for ${formatDuration(s.seconds * 1000)}`;
}

/**
 * `db-connections [--max-used 90%] [--idle-in-transaction 60s] [--app <application_name> [--app-min 1]]`: the
 * seed's post-rollback "数据库连接正常". Connects to the target's database (DATABASE_URL) and fails when the
 * server's client connections exceed `--max-used` (of max_connections, or a count), when a session of this
 * database has sat idle in a transaction for `--idle-in-transaction` or longer (it holds locks and a snapshot),
 * or, when the app is named (`--app`, or APP_DB_APPLICATION_NAME in the target's env), when fewer than
 * `--app-min` of its connections are there. Read-only.
 */
export async function dbConnectionsCheck(ctx: Ctx, flags: Parsed): Promise<I18nText> {
  const maxUsedText = flags.strings.get('max-used') ?? '90%';
  const idleMs = durationFlag(flags, 'idle-in-transaction', '60s');
  const app = flags.strings.get('app') ?? ctx.env[APP_NAME_ENV]?.trim() ?? '';
  const appMin = intFlag(flags, 'app-min', 1) ?? 1;
  if (flags.strings.has('app-min') && !app)
    throw new UsageError('--app-min needs --app (the application_name)');
  usedLimit(maxUsedText, 100); // bad usage is reported before connecting
  return withDb(ctx, async (client) => {
    const limits = await connectionLimits(client);
    const limit = usedLimit(maxUsedText, limits.max);
    const stuck = await idleInTransaction(client, idleMs / 1000);
    const appCount = app ? await appConnections(client, app) : undefined;
    const problems: string[] = [];
    if (limits.used > limit)
      problems.push(
        `${limits.used} client connections of max_connections ${limits.max} are in use, over the limit of ${limit} (--max-used ${maxUsedText})`,
      );
    if (stuck.length > 0) {
      problems.push(
        `${stuck.length} session(s) idle in a transaction for ${formatDuration(idleMs)} or more (they hold locks; end them or fix the app):`,
      );
      for (const s of stuck.slice(0, 10)) problems.push(stuckLine(s));
      if (stuck.length > 10) problems.push(`  … and ${stuck.length - 10} more`);
    }
    if (appCount !== undefined && appCount < appMin)
      problems.push(
        `the app's connections are missing: ${appCount} with application_name "${app}", expected at least ${appMin}`,
      );
    if (problems.length > 0) throw new CheckFailure(problems.join('\n'));

    const states = Object.entries(limits.states)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ');
    const statesZh = Object.entries(limits.states)
      .map(([state, n]) => `${STATE_ZH[state] ?? state} ${n} 个`)
      .join('，');
    const free = limits.max - limits.reserved - limits.used;
    const hiddenEn =
      limits.hidden > 0 ? `; ${limits.hidden} session(s) of other roles not visible (grant pg_monitor)` : '';
    const hiddenZh =
      limits.hidden > 0 ? `；${limits.hidden} 个其他角色的会话不可见（可授予 pg_monitor）` : '';
    const appEn = appCount !== undefined ? `; ${appCount} from "${app}"` : '';
    const appZh = appCount !== undefined ? `；应用 "${app}" 的连接 ${appCount} 个` : '';
    const idle = formatDuration(idleMs);
    return said(
      `连接数 ${limits.used}/${limits.max}（上限 ${limit}，普通角色还可用 ${free} 个）；本库 ${limits.here} 个${statesZh ? `（${statesZh}）` : ''}；没有在事务中空闲超过 ${durationI18n(idleMs)['zh-CN']} 的会话${appZh}${hiddenZh}`,
      `${limits.used}/${limits.max} connections in use (limit ${limit}, ${free} free for ordinary roles); ${limits.here} to this database${states ? ` (${states})` : ''}; none idle in a transaction for ${idle}${appEn}${hiddenEn}`,
    );
  });
}
