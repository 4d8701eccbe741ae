import type { I18nText } from '../../cards/model.js';

/**
 * What a check says about its outcome, in both languages, so the chat can show it (thread replies, the summary,
 * the approval card's preflight lines). A check returns either plain text (the same in both languages: names,
 * revisions, paths, numbers) or an I18nText; `skipped` marks a check that decided not to act.
 *
 * On the wire (stdout of `rollback-bot check`): the human line `<kind>: <en-US text>` always; and, when the
 * environment has ROLLBACK_BOT_RESULT_LINE=1 (the worker sets it for the steps it spawns), a last line
 * `::result {"zh-CN":"…","en-US":"…","skipped":true?}` the worker parses with parseResultLine.
 */
export interface CheckResult {
  text: I18nText;
  skipped?: boolean;
}

export type CheckSaid = string | I18nText | CheckResult;

export const RESULT_MARK = '::result ';
export const RESULT_LINE_ENV = 'ROLLBACK_BOT_RESULT_LINE';

export function said(zh: string, en: string): I18nText {
  return { 'zh-CN': zh, 'en-US': en };
}

export function toResult(value: CheckSaid): CheckResult {
  if (typeof value === 'string') return { text: said(value, value) };
  if ('text' in value) return value;
  return { text: value };
}

export function formatResultLine(result: CheckResult): string {
  const body: Record<string, unknown> = { 'zh-CN': result.text['zh-CN'], 'en-US': result.text['en-US'] };
  if (result.skipped) body.skipped = true;
  return `${RESULT_MARK}${JSON.stringify(body)}`;
}

/** The last `::result` line of a step's output, or undefined (not a check, or an old one). Never throws. */
export function parseResultLine(output: string): CheckResult | undefined {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? '';
    if (!line.startsWith(RESULT_MARK)) continue;
    try {
      const body = JSON.parse(line.slice(RESULT_MARK.length)) as Record<string, unknown>;
      const zh = body['zh-CN'];
      const en = body['en-US'];
      if (typeof zh !== 'string' || typeof en !== 'string') return undefined;
      return body.skipped === true ? { text: said(zh, en), skipped: true } : { text: said(zh, en) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The output without `::result` lines (what a person reads), a cut-off one (the tail's start) included. */
export function withoutResultLines(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.includes(RESULT_MARK.trim()))
    .join('\n');
}
