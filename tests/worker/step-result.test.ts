import { describe, expect, it } from 'vitest';
import { formatResultLine } from '../../src/checks/result.js';
import { stepSaid } from '../../src/worker/step-result.js';

/** What a finished step said (issue 9 items 1 and 5): the ::result line, else the last output line. */
const same = (text: string) => ({ 'zh-CN': text, 'en-US': text });
const mask = (text: string) => text.replaceAll('hunter22', '***');

describe('stepSaid', () => {
  it("takes a check's ::result line in both languages, and drops it from the output a person reads", () => {
    const tail = `tables: a\n${formatResultLine({ text: { 'zh-CN': '2 张表', 'en-US': '2 table(s)' } })}\n`;
    expect(stepSaid('succeeded', tail, mask)).toEqual({
      state: 'succeeded',
      outputTail: 'tables: a\n',
      result: { 'zh-CN': '2 张表', 'en-US': '2 table(s)' },
    });
  });

  it('ends the step skipped when the check reports skipped', () => {
    const tail = formatResultLine({ text: same('skipped (--only-if no)'), skipped: true });
    expect(stepSaid('succeeded', tail, mask)).toMatchObject({
      state: 'skipped',
      result: same('skipped (--only-if no)'),
    });
  });

  it('falls back to the last non-empty output line of any other command', () => {
    const tail =
      'INFO  [alembic] Context impl PostgresqlImpl.\nINFO  [alembic] Running downgrade 6fc3 -> , init\n\n';
    expect(stepSaid('succeeded', tail, mask).result).toEqual(
      same('INFO  [alembic] Running downgrade 6fc3 -> , init'),
    );
    expect(stepSaid('succeeded', '', mask).result).toBeUndefined();
  });

  it('redacts (also what JSON escaping hid), keeps two lines at most, each bounded', () => {
    const hidden = formatResultLine({ text: same('url postgresql://u:hunter22@db/x') });
    expect(stepSaid('succeeded', hidden, mask).result?.['en-US']).toBe('url postgresql://u:***@db/x');
    const long = formatResultLine({ text: same(`one\ntwo\nthree ${'x'.repeat(500)}`) });
    const said = stepSaid('succeeded', long, mask).result?.['en-US'] ?? '';
    expect(said.split('\n')).toHaveLength(2);
    expect(said.startsWith('two\nthree xxx')).toBe(true);
    expect(said.length).toBeLessThanOrEqual(4 + 200);
  });

  it('says nothing for a step that did not succeed (its output tail is shown instead); a cut result line is dropped', () => {
    const tail = `boom\n${formatResultLine({ text: same('x') })}`;
    expect(stepSaid('failed', tail, mask)).toEqual({ state: 'failed', outputTail: 'boom' });
    expect(stepSaid('succeeded', 'esult {"zh-CN":"a"\n::result {"zh-CN', mask).outputTail).toBe(
      'esult {"zh-CN":"a"',
    );
  });
});
