import { formatDateTimeZoned } from '../../cards/format.js';
import type { I18nText, RunState } from '../../cards/model.js';
import { RUN_STATE } from '../../cards/strings.js';
import type { Catalog } from '../runbooks/types.js';
import { closest } from './suggest.js';

/** Every chat reply the bot writes, in both languages. The renderer picks LOCALE. */

const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, 'en-US': en });

/** `text` ending as a sentence: its own final mark, else `mark`. */
const sentence = (text: string, mark: string): string =>
  /[.?!。？！]$/.test(text) ? text : `${text}${mark}`;

/**
 * The catalog's reasons for refusing a target (runbooks/catalog.ts pickTarget), in Chinese; a reason of any
 * other shape is shown as it is.
 */
function targetReasonZh(reason: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^no default target; name one of: (.+)$/, (m) => `没有默认目标，请指定其一：${m[1]}`],
    [/^unknown target (\S+); known: (.+)$/, (m) => `没有目标 ${m[1]}，可用的目标：${m[2]}`],
    [/^target (\S+) is unavailable: (.+) (?:is|are) not set$/, (m) => `目标 ${m[1]} 不可用：未设置 ${m[2]}`],
    [
      /^target (\S+) does not define (.+), which runbook (\S+) uses$/,
      (m) => `目标 ${m[1]} 没有定义回滚流程 ${m[3]} 用到的 ${m[2]}`,
    ],
  ];
  for (const [pattern, zh] of rules) {
    const m = pattern.exec(reason);
    if (m) return zh(m);
  }
  return reason;
}

/** The chat verbs, for suggestions (runbooks are added from the catalog). */
const VERBS = [
  'help',
  'status',
  'targets',
  'cancel',
  'export',
  'impact',
  '帮助',
  '状态',
  '目标',
  '取消',
  '导出',
  'history',
  '历史',
  '影响',
];

/** The usage, with the targets that may be requested in this chat (all of them when not given). */
export function usage(catalog: Catalog, usable?: readonly { id: string; default: boolean }[]): I18nText {
  const lines = [...catalog.runbooks.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((rb) => {
      const params = Object.entries(rb.params)
        .map(([name, spec]) => (spec.default === undefined ? ` ${name}=<…>` : ` [${name}=${spec.default}]`))
        .join('');
      const aliases = rb.aliases.length ? ` (${rb.aliases.join(', ')})` : '';
      return {
        zh: `  ${rb.id}${aliases}${params} — ${rb.title['zh-CN']}`,
        en: `  ${rb.id}${aliases}${params} — ${rb.title['en-US']}`,
      };
    });
  const targets = [...(usable ?? catalog.targets.values())]
    .map((tg) => tg.id + (tg.default ? '*' : ''))
    .join(', ');
  return t(
    [
      '用法：',
      '  /rollback <回滚流程> [目标] [参数=值 …]   申请执行回滚（需 Tech Lead 审批）',
      '      … at=02:30 或 at=window               预约在该时间 / 下一个回滚窗口开始',
      '  /rollback status                          本群进行中和最近的回滚',
      '  /rollback targets                         本群可用的目标、执行器和最近一次回滚',
      '  /rollback cancel [回滚编号] [now]         取消（默认当前步骤结束后；now 立即终止）',
      '  /rollback export <回滚编号> [md|json|csv] 导出时间线文件（复盘用）',
      '  /rollback history [回滚流程] [目标]       最近结束的回滚：结果、开始时间、用时和批准人',
      '  /rollback impact [目标]                   回滚影响分析：各版本回滚删除的表和现有行数',
      '  /rollback help                            显示本帮助',
      '回滚流程：',
      ...lines.map((l) => l.zh),
      `目标（* 为默认）：${targets}`,
    ].join('\n'),
    [
      'Usage:',
      '  /rollback <runbook> [target] [key=value …]   request a run (a Tech Lead approves)',
      '      … at=02:30 or at=window                  schedule it: start then / at the next window',
      '  /rollback status                             active and recent runs in this chat',
      '  /rollback targets                            targets usable here, their runners, their last run',
      '  /rollback cancel [run] [now]                 cancel (after the current step; now: kill it)',
      '  /rollback export <run> [md|json|csv]         the timeline as a file, for the post-mortem',
      '  /rollback history [runbook] [target]         recent finished runs: outcome, start, duration, approvers',
      '  /rollback impact [target]                    impact analysis: what each rollback drops, rows now',
      '  /rollback help                               this help',
      'Runbooks:',
      ...lines.map((l) => l.en),
      `Targets (* = default): ${targets}`,
    ].join('\n'),
  );
}

export const replies = {
  notIncidentChat: t(
    '抱歉，我只在事故群中执行回滚操作。请在配置的事故群里 @我。',
    'Sorry, I only act in the configured incident chats. Please @-mention me there.',
  ),
  /** A target requested from a chat it does not list: where it may be requested, by name where one is given. */
  wrongChat: (target: string, chats: { id: string; name?: string }[]) => {
    const named = chats.map((c) => c.name ?? c.id);
    return t(
      `目标 ${target} 不能在本群申请回滚，请到 ${named.join('、')} 发起。`,
      `Target ${target} cannot be rolled back from this chat; please ask in ${named.join(', ')}.`,
    );
  },
  /** Fewer Tech Leads who may approve than the approval needs: the card could never be approved. */
  quorumUnreachable: (target: string, quorum: number, leads: number, fourEyes: boolean) =>
    t(
      `无法发起：目标 ${target} 需要 ${quorum} 位 Tech Lead 批准，但${fourEyes ? '除你之外' : ''}只有 ${leads} 位可以批准。请让另一位 Tech Lead 发起，或在 targets.yaml 中调整 approvers / approval.quorum。`,
      `Cannot request this: target ${target} needs ${quorum} Tech Lead approval(s), but only ${leads} ${fourEyes ? 'other than you ' : ''}may approve. Ask another Tech Lead to request it, or change approvers / approval.quorum in targets.yaml.`,
    ),
  notAllowedRequester: t(
    '抱歉，你不在可发起回滚的名单中。',
    'Sorry, you are not on the list of people who may request rollbacks.',
  ),
  /** What was wrong and where the usage is: a short answer, not the whole usage again. */
  invalid: (reason: I18nText) =>
    t(
      `无法理解该命令：${sentence(reason['zh-CN'], '。')}发送 /rollback help 查看用法。`,
      `I could not read that command: ${sentence(reason['en-US'], '.')} Send /rollback help for the usage.`,
    ),
  /** An unknown runbook (or a mistyped verb): the closest runbook, alias or command, else the runbook list. */
  unknownRunbook: (name: string, catalog: Catalog) => {
    const runbooks = [...catalog.runbooks.values()].sort((a, b) => a.id.localeCompare(b.id));
    const words = [...VERBS, ...runbooks.flatMap((rb) => [rb.id, ...rb.aliases])];
    const guess = closest(name, words);
    if (guess) {
      return t(
        `没有名为 "${name}" 的回滚流程或命令。你是不是想输入 /rollback ${guess}？发送 /rollback help 查看用法。`,
        `There is no runbook or command "${name}". Did you mean /rollback ${guess}? Send /rollback help for the usage.`,
      );
    }
    const ids = runbooks.map((rb) => rb.id);
    return t(
      `没有名为 "${name}" 的回滚流程或命令。可用的回滚流程：${ids.join('、')}。发送 /rollback help 查看用法。`,
      `There is no runbook or command "${name}". Runbooks: ${ids.join(', ')}. Send /rollback help for the usage.`,
    );
  },
  targetRefused: (reason: string) => {
    const zh = targetReasonZh(reason);
    const guess = /^unknown target (\S+); known: (.+)$/.exec(reason);
    const near = guess?.[1] && guess[2] ? closest(guess[1], guess[2].split(', ')) : undefined;
    const hint = near ? t(`你是不是想用目标 ${near}？`, ` Did you mean target ${near}?`) : t('', '');
    return t(
      `无法使用该目标：${sentence(zh, '。')}${hint['zh-CN']}`,
      `Cannot use that target: ${reason}.${hint['en-US']}`,
    );
  },
  badParams: (errors: { text: I18nText }[]) =>
    t(
      `参数错误：\n${errors.map((e) => `  ${e.text['zh-CN']}`).join('\n')}\n发送 /rollback help 查看各回滚流程的参数。`,
      `Bad parameters:\n${errors.map((e) => `  ${e.text['en-US']}`).join('\n')}\nSend /rollback help for each runbook's parameters.`,
    ),
  atNeedsApproval: (runbook: string) =>
    t(
      `${runbook} 是只读流程，无需审批，会立即执行，不能用 at= 预约。请去掉 at= 直接发送 /rollback ${runbook}。`,
      `${runbook} is read-only and needs no approval, so it runs at once and cannot be scheduled with at=. Send /rollback ${runbook} without at=.`,
    ),
  extraWords: (words: string[]) =>
    t(
      `多余的参数：${words.join(' ')}（参数格式为 key=value）`,
      `Unexpected words: ${words.join(' ')} (parameters are key=value)`,
    ),
  targetBusy: (target: string, runId: string, state: string) =>
    t(
      `目标 ${target} 已有进行中的回滚 ${runId}（${stateName(state)['zh-CN']}）。完成或取消后再申请。`,
      `Target ${target} already has an active run ${runId} (${stateName(state)['en-US']}). Wait for it or cancel it first.`,
    ),
  noSuchRun: (runId: string) => t(`找不到回滚 ${runId}。`, `No run ${runId} here.`),
  noActiveRun: t('本群没有进行中的回滚。', 'There is no active run in this chat.'),
  cancelNotAllowed: t('只有发起人或 Tech Lead 可以取消。', 'Only the requester or a Tech Lead may cancel.'),
  cancelNotActive: (runId: string, state: string) =>
    t(
      `回滚 ${runId} 已${stateName(state)['zh-CN']}，无法取消。`,
      `Run ${runId} is already ${stateName(state)['en-US'].toLowerCase()}; nothing to cancel.`,
    ),
  cancelled: (runId: string) => t(`回滚 ${runId} 已取消。`, `Run ${runId} is cancelled.`),
  cancelAfterStep: (runId: string) =>
    t(`回滚 ${runId} 将在当前步骤结束后停止。`, `Run ${runId} will stop after the current step.`),
  cancelNow: (runId: string) => t(`正在立即终止回滚 ${runId}。`, `Stopping run ${runId} now.`),
};

/** A run state as people read it (`等待审批` / `Awaiting approval`), never the raw name. */
export function stateName(state: string): I18nText {
  if (state === 'active') return t('进行中', 'active');
  return RUN_STATE[state as RunState] ?? t(state, state);
}

export interface StatusRow {
  id: string;
  runbook: string;
  target: string;
  state: string;
  /** ISO instant the run was requested. */
  createdAt: string;
  /** ISO instant a scheduled run starts. */
  startAt?: string;
}

/** Recent runs, newest first, with localized states and times in `timezone` with its offset. */
export function statusText(rows: StatusRow[], timezone: string): I18nText {
  if (rows.length === 0) return t('本群还没有回滚记录。', 'No runs in this chat yet.');
  const lines = (l: 'zh-CN' | 'en-US') =>
    rows.map(
      (r) =>
        `  ${r.id}  ${r.runbook} → ${r.target}  ${stateName(r.state)[l]}  ${formatDateTimeZoned(r.createdAt, timezone)}` +
        (r.startAt
          ? l === 'zh-CN'
            ? `（开始于 ${formatDateTimeZoned(r.startAt, timezone)}）`
            : ` (starts ${formatDateTimeZoned(r.startAt, timezone)})`
          : ''),
    );
  return t(`本群的回滚：\n${lines('zh-CN').join('\n')}`, `Runs in this chat:\n${lines('en-US').join('\n')}`);
}
