import { formatDateTimeZoned } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import { stateName } from './replies.js';

export interface TargetLine {
  id: string;
  isDefault: boolean;
  environment?: string;
  pool: string;
  /** Why it cannot be requested at all (a `${VAR}` not set), in English as the loader says it. */
  unavailable?: string;
  /** Live runners of its pool that can run it (env complete), by host. */
  runners: string[];
  lastRun?: { id: string; runbook: string; state: string; createdAt: Date };
}

/** `/rollback targets`: what may be rolled back from this chat, who would run it, and how it last went. */
export function targetsText(lines: TargetLine[], timezone: string): I18nText {
  if (lines.length === 0) {
    return {
      'zh-CN': '本群没有可申请回滚的目标。请在目标配置的事故群里使用。',
      'en-US': 'No target may be rolled back from this chat. Ask in the incident chat its target names.',
    };
  }
  const render = (l: 'zh-CN' | 'en-US') =>
    lines.map((line) => {
      const zh = l === 'zh-CN';
      const head = `• ${line.id}${line.isDefault ? (zh ? '（默认）' : ' (default)') : ''}${
        line.environment ? ` · ${line.environment}` : ''
      }`;
      const runners = line.unavailable
        ? zh
          ? `不可用：${line.unavailable.replace(/ (is|are) not set$/, ' 未设置')}`
          : `unavailable: ${line.unavailable}`
        : line.runners.length > 0
          ? zh
            ? `执行器池 ${line.pool}：${line.runners.length} 个在线（${line.runners.join('、')}）`
            : `runner pool ${line.pool}: ${line.runners.length} up (${line.runners.join(', ')})`
          : zh
            ? `执行器池 ${line.pool}：没有在线的执行器，批准会被暂缓`
            : `runner pool ${line.pool}: no runner up, so approval is withheld`;
      const last = line.lastRun
        ? zh
          ? `最近一次：${line.lastRun.runbook} ${stateName(line.lastRun.state)[l]}（${formatDateTimeZoned(line.lastRun.createdAt.toISOString(), timezone)}，${line.lastRun.id}）`
          : `last run: ${line.lastRun.runbook} ${stateName(line.lastRun.state)[l].toLowerCase()} (${formatDateTimeZoned(line.lastRun.createdAt.toISOString(), timezone)}, ${line.lastRun.id})`
        : zh
          ? '还没有回滚记录'
          : 'no runs yet';
      return `${head}\n    ${runners}\n    ${last}`;
    });
  return {
    'zh-CN': `本群可回滚的目标：\n${render('zh-CN').join('\n')}`,
    'en-US': `Targets you can roll back from this chat:\n${render('en-US').join('\n')}`,
  };
}
