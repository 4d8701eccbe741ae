import { formatDateTimeZoned, formatDuration } from '../../cards/format.js';
import type { I18nText, Locale } from '../../cards/model.js';
import { stateName } from './replies.js';

/** `/rollback history` (issue 14) in both languages. Pure; people are `{@N}` mentions of `people[N]`. */

export interface HistoryLine {
  id: string;
  runbookId: string;
  targetId: string;
  state: string;
  /** ISO instants. */
  createdAt: string;
  startedAt?: string;
  durationMs?: number;
  approvers: string[];
  /** Who rejected or cancelled it. */
  actor?: string;
  /** A read-only runbook that needs no approval. */
  approvalNotNeeded?: boolean;
}

export interface HistoryScope {
  runbook?: string;
  target?: string;
}

const ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  cancelled: '⛔',
  rejected: '🚫',
  expired: '⌛',
};

/** At most this many approvers a line names (so a reply never needs more mentions than a post can carry). */
const MAX_APPROVERS = 5;

function scopeText(scope: HistoryScope, l: Locale): string {
  const { runbook: rb, target: tg } = scope;
  if (l === 'zh-CN') {
    if (rb && tg) return `目标 ${tg} 上 ${rb} `;
    if (rb) return `本群目标上 ${rb} `;
    if (tg) return `目标 ${tg} 上`;
    return '本群目标上';
  }
  if (rb && tg) return `of ${rb} on ${tg}`;
  if (rb) return `of ${rb} on this chat's targets`;
  if (tg) return `on ${tg}`;
  return `on this chat's targets`;
}

export function historyText(
  lines: HistoryLine[],
  scope: HistoryScope,
  timezone: string,
): { text: I18nText; people: string[] } {
  if (lines.length === 0) {
    return {
      text: {
        'zh-CN': `${scopeText(scope, 'zh-CN')}还没有已结束的回滚。`,
        'en-US': `No finished runs ${scopeText(scope, 'en-US')} yet.`,
      },
      people: [],
    };
  }
  const people: string[] = [];
  const who = (openId: string): string => {
    let i = people.indexOf(openId);
    if (i < 0) i = people.push(openId) - 1;
    return `{@${i}}`;
  };
  // Indices first, so both languages name the same people the same way.
  const named = lines.map((line) => ({
    line,
    approvers: line.approvers.slice(0, MAX_APPROVERS).map(who),
    more: Math.max(0, line.approvers.length - MAX_APPROVERS),
    actor: line.actor ? who(line.actor) : undefined,
  }));
  const render = (l: Locale) =>
    named.map(({ line, approvers, more, actor }) => {
      const zh = l === 'zh-CN';
      const parts = [
        `${ICON[line.state] ?? '•'} ${line.id}  ${line.runbookId} → ${line.targetId}`,
        stateName(line.state)[l],
      ];
      const time = (iso: string) => formatDateTimeZoned(iso, timezone);
      if (line.startedAt) {
        parts.push(zh ? `开始于 ${time(line.startedAt)}` : `started ${time(line.startedAt)}`);
        parts.push(
          line.durationMs !== undefined
            ? zh
              ? `用时 ${formatDuration(line.durationMs, l)}`
              : `took ${formatDuration(line.durationMs, l)}`
            : zh
              ? '用时未知'
              : 'duration unknown',
        );
      } else {
        parts.push(
          zh
            ? `申请于 ${time(line.createdAt)}，未开始执行`
            : `requested ${time(line.createdAt)}, never started`,
        );
      }
      const extra = more > 0 ? (zh ? ` 等 ${more + approvers.length} 人` : ` and ${more} more`) : '';
      parts.push(
        approvers.length > 0
          ? zh
            ? `批准人 ${approvers.join(' ')}${extra}`
            : `approved by ${approvers.join(', ')}${extra}`
          : line.approvalNotNeeded
            ? zh
              ? '无需审批'
              : 'no approval needed'
            : zh
              ? '无人批准'
              : 'not approved',
      );
      if (actor && line.state === 'rejected') parts.push(zh ? `拒绝人 ${actor}` : `rejected by ${actor}`);
      if (actor && line.state === 'cancelled') parts.push(zh ? `取消人 ${actor}` : `cancelled by ${actor}`);
      return parts.join(' · ');
    });
  return {
    text: {
      'zh-CN': `最近 ${lines.length} 次${scopeText(scope, 'zh-CN')}的回滚（新的在前，时间为 ${timezone}）：\n${render('zh-CN').join('\n')}`,
      'en-US': `${lines.length === 1 ? 'The last finished run' : `The last ${lines.length} finished runs`} ${scopeText(scope, 'en-US')}, newest first (times in ${timezone}):\n${render('en-US').join('\n')}`,
    },
    people,
  };
}

const USAGE: I18nText = {
  'zh-CN': '写法：/rollback history [回滚流程] [目标]',
  'en-US': 'Write /rollback history [runbook] [target]',
};

/** A word of `/rollback history` that names nothing here: what exists, and how to write the command. */
export function historyUnknown(
  kind: 'runbook' | 'target' | 'either',
  word: string,
  runbooks: readonly string[],
  targets: readonly string[],
  guess?: string,
): I18nText {
  const rb = { zh: runbooks.join('、'), en: runbooks.join(', ') };
  const tg = { zh: targets.join('、') || '无', en: targets.join(', ') || 'none' };
  const what = {
    runbook: { zh: `没有名为 "${word}" 的回滚流程`, en: `There is no runbook "${word}"` },
    target: { zh: `"${word}" 不是本群可用的目标`, en: `"${word}" is not a target of this chat` },
    either: { zh: `没有名为 "${word}" 的回滚流程或目标`, en: `There is no runbook or target "${word}"` },
  }[kind];
  const hint = guess
    ? { zh: `你是不是想输入 ${guess}？`, en: ` Did you mean ${guess}?` }
    : { zh: '', en: '' };
  const lists = {
    runbook: { zh: `可用的回滚流程：${rb.zh}。`, en: `Runbooks: ${rb.en}.` },
    target: { zh: `本群的目标：${tg.zh}。`, en: `Targets of this chat: ${tg.en}.` },
    either: {
      zh: `可用的回滚流程：${rb.zh}；本群的目标：${tg.zh}。`,
      en: `Runbooks: ${rb.en}. Targets of this chat: ${tg.en}.`,
    },
  }[kind];
  return {
    'zh-CN': `${what.zh}。${hint.zh}${lists.zh}${USAGE['zh-CN']}。`,
    'en-US': `${what.en}.${hint.en} ${lists.en} ${USAGE['en-US']}.`,
  };
}
