import { describe, expect, it } from 'vitest';
import {
  formatResultLine,
  parseResultLine,
  RESULT_LINE_ENV,
  said,
  toResult,
  withoutResultLines,
} from '../../src/checks/result.js';
import { runCheck } from '../../src/checks/run.js';

describe('the ::result line', () => {
  it('round-trips a bilingual result and a skip', () => {
    const result = { text: said('已跳过（restore=no）', 'skipped (restore=no)'), skipped: true };
    expect(parseResultLine(`a\n${formatResultLine(result)}\n`)).toEqual(result);
    expect(parseResultLine(formatResultLine(toResult('at 6fc3f28b87c8')))).toEqual({
      text: said('at 6fc3f28b87c8', 'at 6fc3f28b87c8'),
    });
  });

  it('takes the last line, ignores broken ones and other output', () => {
    const out = ['::result {"zh-CN":"一","en-US":"one"}', 'noise', '::result {"zh-CN":"二","en-US":"two"}'];
    expect(parseResultLine(out.join('\n'))?.text['en-US']).toBe('two');
    expect(parseResultLine('::result {not json')).toBeUndefined();
    expect(parseResultLine('::result {"zh-CN":1,"en-US":"x"}')).toBeUndefined();
    expect(parseResultLine('plain output')).toBeUndefined();
    expect(withoutResultLines(out.join('\n'))).toBe('noise');
  });

  it('is printed by a check only when the worker asks for it', async () => {
    const lines: string[] = [];
    const argv = ['health', '--url', 'http://127.0.0.1:9/x', '--only-if', 'no'];
    expect(await runCheck(argv, {}, { out: (l) => lines.push(l) })).toBe(0);
    expect(lines).toEqual(['health: skipped (--only-if no)']);
    lines.length = 0;
    expect(await runCheck(argv, { [RESULT_LINE_ENV]: '1' }, { out: (l) => lines.push(l) })).toBe(0);
    expect(parseResultLine(lines.join('\n'))).toEqual({
      text: said('已跳过（--only-if no）', 'skipped (--only-if no)'),
      skipped: true,
    });
  });
});
