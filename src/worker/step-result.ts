import type { I18nText, StepState } from '../../cards/model.js';
import { parseResultLine, withoutResultLines } from '../checks/result.js';

/**
 * What a finished step said, for the chat and the step record: a check's `::result` line (both languages), else
 * the last non-empty line of its output; redacted (again: the JSON form may have hidden a secret's spelling) and
 * bounded to two short lines. A check that reports `skipped` ends the step `skipped`, not `succeeded`.
 */

/** At most this many lines, each at most this many characters. */
export const RESULT_MAX_LINES = 2;
export const RESULT_MAX_LINE_CHARS = 200;

export interface StepSaid {
  state: StepState;
  /** The output tail without the `::result` line (what a person reads as the output). */
  outputTail: string;
  result?: I18nText;
}

function bound(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-RESULT_MAX_LINES)
    .map((line) =>
      line.length > RESULT_MAX_LINE_CHARS ? `${line.slice(0, RESULT_MAX_LINE_CHARS - 1)}…` : line,
    )
    .join('\n');
}

export function stepSaid(state: StepState, tail: string, redact: (text: string) => string): StepSaid {
  const parsed = parseResultLine(tail);
  // A cut-off result line (a huge one, or the tail's start) is dropped too, never shown as JSON.
  const outputTail = withoutResultLines(tail);
  if (state !== 'succeeded') return { state, outputTail };
  if (parsed) {
    const result = {
      'zh-CN': bound(redact(parsed.text['zh-CN'])),
      'en-US': bound(redact(parsed.text['en-US'])),
    };
    const said = result['zh-CN'] || result['en-US'] ? { result } : {};
    return { state: parsed.skipped ? 'skipped' : state, outputTail, ...said };
  }
  const last = bound(
    redact(outputTail)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-1)
      .join('\n'),
  );
  return last ? { state, outputTail, result: { 'zh-CN': last, 'en-US': last } } : { state, outputTail };
}
