import type { I18nText } from '../../cards/model.js';
import { editDistance } from './suggest.js';

/** Chat grammar: the text after the bot's @-mention → a Command. Pure; no catalog lookups here. */

export type ExportFormat = 'md' | 'json' | 'csv';

export type Command =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'targets' }
  | { kind: 'cancel'; runId?: string; mode: 'after_step' | 'now' }
  | { kind: 'export'; runId: string; format: ExportFormat }
  /** Recent finished runs (issue 14); a lone word may name a runbook or a target (the domain tells which). */
  | { kind: 'history'; runbook?: string; target?: string }
  /** `/rollback impact [target]` (issue 14): the live impact analysis of the target's migrations. */
  | { kind: 'impact'; target?: string }
  | {
      kind: 'request';
      runbook: string;
      target?: string;
      params: Record<string, string>;
      /** Words past the target: reported after the parameters are checked, so a bad value is named first. */
      extras: string[];
      /** `at=…`: when to start (issue 14), as typed; a reserved word of the command, never a runbook param. */
      at?: string;
    }
  /** What was wrong, in both languages (shown with a pointer to help, not the whole usage). */
  | { kind: 'invalid'; reason: I18nText };

const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, 'en-US': en });
const invalid = (zh: string, en: string): Command => ({ kind: 'invalid', reason: t(zh, en) });

const PREFIXES = ['/rollback', '/回滚'];
/** A run id as typed in chat or carried by a card button. */
export const RUN_ID = /^r[0-9a-z]{6,30}$/;
const KEY = /^[a-z_][a-z0-9_]{0,39}$/;
const VALUE = /^\S{1,200}$/;
/** The command's own parameter: when to start a scheduled run. */
const AT = 'at';

/** The command in `text`, or undefined when the text is not a /rollback command at all. */
export function parseCommand(text: string): Command | undefined {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const head = tokens.shift();
  if (!head) return undefined;
  if (!PREFIXES.includes(head.toLowerCase())) {
    // `/rolback emergency`: one slip from the prefix is a typo to answer, not chatter to ignore.
    const near = PREFIXES.find((p) => editDistance(head.toLowerCase(), p) === 1);
    if (!near || !head.startsWith('/')) return undefined;
    const rest = tokens.length > 0 ? ` ${tokens.join(' ')}` : '';
    return invalid(
      `没有 ${head} 命令，你是不是想输入 ${near}${rest}？`,
      `there is no ${head} command; did you mean ${near}${rest}?`,
    );
  }
  const verb = tokens[0];
  if (verb === undefined || /^(help|帮助|-h|--help)$/i.test(verb)) {
    return tokens.length <= 1 ? { kind: 'help' } : invalid('help 不带参数', 'help takes no arguments');
  }
  switch (verb.toLowerCase()) {
    case 'status':
    case '状态':
      return tokens.length === 1
        ? { kind: 'status' }
        : invalid('status 不带参数', 'status takes no arguments');
    case 'targets':
    case '目标':
      return tokens.length === 1
        ? { kind: 'targets' }
        : invalid('targets 不带参数', 'targets takes no arguments');
    case 'cancel':
    case '取消':
      return parseCancel(tokens.slice(1));
    case 'export':
    case '导出':
      return parseExport(tokens.slice(1));
    case 'history':
    case '历史':
      return parseHistory(tokens.slice(1));
    case 'impact':
    case '影响':
      return parseImpact(tokens.slice(1));
    default:
      return parseRequest(verb, tokens.slice(1));
  }
}

function parseCancel(args: string[]): Command {
  let runId: string | undefined;
  let mode: 'after_step' | 'now' = 'after_step';
  for (const arg of args) {
    if (arg === 'now' || arg === '立即') mode = 'now';
    else if (RUN_ID.test(arg) && runId === undefined) runId = arg;
    else
      return invalid(
        `cancel 只接受回滚编号和 now，不认识 "${arg}"`,
        `cancel takes a run id and now, not "${arg}"`,
      );
  }
  return { kind: 'cancel', mode, ...(runId ? { runId } : {}) };
}

function parseExport(args: string[]): Command {
  const [runId, format = 'md', ...rest] = args;
  if (!runId || !RUN_ID.test(runId))
    return invalid('export 需要回滚编号，例如 r7k2m9q4x1', 'export needs a run id, e.g. r7k2m9q4x1');
  if (format !== 'md' && format !== 'json' && format !== 'csv') {
    return invalid(
      `导出格式须为 md、json 或 csv，而不是 "${format}"`,
      `export format must be md, json or csv, not "${format}"`,
    );
  }
  if (rest.length > 0) return invalid('export 只接受回滚编号和格式', 'export takes a run id and a format');
  return { kind: 'export', runId, format };
}

function parseHistory(args: string[]): Command {
  const [runbook, target, ...rest] = args;
  const bad = args.find((a) => a.includes('='));
  if (bad !== undefined || rest.length > 0)
    return invalid(
      `history 只接受回滚流程和目标，例如 /rollback history emergency lark-service，不认识 "${bad ?? rest.join(' ')}"`,
      `history takes a runbook and a target, e.g. /rollback history emergency lark-service, not "${bad ?? rest.join(' ')}"`,
    );
  return {
    kind: 'history',
    ...(runbook !== undefined ? { runbook } : {}),
    ...(target !== undefined ? { target } : {}),
  };
}

function parseImpact(args: string[]): Command {
  const [target, ...rest] = args;
  if (rest.length > 0 || target?.includes('='))
    return invalid(
      'impact 只接受一个目标，例如 /rollback impact lark-service',
      'impact takes one target, e.g. /rollback impact lark-service',
    );
  return target === undefined ? { kind: 'impact' } : { kind: 'impact', target };
}

function parseRequest(runbook: string, args: string[]): Command {
  const params: Record<string, string> = {};
  let target: string | undefined;
  const extras: string[] = [];
  let at: string | undefined;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      if (target === undefined && eq === -1) target = arg;
      else extras.push(arg);
      continue;
    }
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (!KEY.test(key)) return invalid(`"${key}" 不是参数名`, `"${key}" is not a parameter name`);
    if (!VALUE.test(value)) return invalid(`${key} 需要一个值`, `${key} needs a value`);
    if (key in params || (key === AT && at !== undefined))
      return invalid(`${key} 给了两次`, `${key} is given twice`);
    if (key === AT) at = value;
    else params[key] = value;
  }
  return {
    kind: 'request',
    runbook,
    params,
    extras,
    ...(target !== undefined ? { target } : {}),
    ...(at !== undefined ? { at } : {}),
  };
}
