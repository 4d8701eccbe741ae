import { describe, expect, it } from 'vitest';
import { loadCatalog, type Runbook, validateParams } from '../../src/runbooks/index.js';
import { runbookYaml, SHIPPED_TARGETS, tempDir } from './helpers.js';

function runbookWith(params: string): Runbook {
  const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': `${runbookYaml('x')}params:\n${params}` });
  const runbook = loadCatalog({ dir, env: {} }).runbooks.get('x');
  if (!runbook) throw new Error('x missing');
  return runbook;
}

const REVISION = '  revision: { default: "-1", pattern: "^(-1|base|[0-9a-f]{12})$" }\n';

describe('validateParams', () => {
  it('applies defaults', () => {
    expect(validateParams(runbookWith(REVISION), {})).toEqual({ ok: true, params: { revision: '-1' } });
    expect(validateParams(runbookWith(REVISION), { revision: '6fc3f28b87c8' })).toEqual({
      ok: true,
      params: { revision: '6fc3f28b87c8' },
    });
  });

  it('rejects a value outside the pattern, naming the parameter and the allowed values (no regex)', () => {
    expect(validateParams(runbookWith(REVISION), { revision: 'abc; rm -rf /' })).toEqual({
      ok: false,
      errors: [
        {
          param: 'revision',
          code: 'pattern',
          message: 'revision must be -1, base or 12 hex digits',
          text: {
            'zh-CN': 'revision 须为 -1、base 或 12 位十六进制数字',
            'en-US': 'revision must be -1, base or 12 hex digits',
          },
        },
      ],
    });
  });

  it('rejects unknown keys, naming the known ones', () => {
    expect(validateParams(runbookWith(REVISION), { foo: '1' })).toEqual({
      ok: false,
      errors: [
        {
          param: 'foo',
          code: 'unknown',
          message: 'unknown parameter foo; known: revision',
          text: {
            'zh-CN': '未知参数 foo；可用参数：revision',
            'en-US': 'unknown parameter foo; known: revision',
          },
        },
      ],
    });
    const none = runbookWith('  {}\n');
    expect(validateParams({ ...none, params: {} }, { foo: '1' })).toMatchObject({
      errors: [{ message: 'unknown parameter foo; x takes no parameters' }],
    });
  });

  it('requires a parameter without a default', () => {
    const runbook = runbookWith('  revision: { pattern: "[0-9a-f]{12}" }\n');
    expect(validateParams(runbook, {})).toEqual({
      ok: false,
      errors: [
        {
          param: 'revision',
          code: 'missing',
          message: 'missing parameter revision: give revision=<value>, where the value is 12 hex digits',
          text: {
            'zh-CN': '缺少参数 revision：请给出 revision=<值>，值须为 12 位十六进制数字',
            'en-US': 'missing parameter revision: give revision=<value>, where the value is 12 hex digits',
          },
        },
      ],
    });
  });

  it('anchors an unanchored pattern, so a match inside a longer value is not enough', () => {
    const runbook = runbookWith('  revision: { pattern: "[0-9a-f]{12}" }\n');
    expect(runbook.params.revision?.pattern).toBe('^(?:[0-9a-f]{12})$');
    expect(validateParams(runbook, { revision: '6fc3f28b87c8' }).ok).toBe(true);
    expect(validateParams(runbook, { revision: 'x6fc3f28b87c8' }).ok).toBe(false);
    expect(validateParams(runbook, { revision: '6fc3f28b87c8\n--sql' }).ok).toBe(false);
    const alternation = runbookWith('  revision: { pattern: "-1|base" }\n');
    expect(validateParams(alternation, { revision: 'base; rm -rf /' }).ok).toBe(false);
  });

  it('refuses overlong values whatever the pattern', () => {
    const runbook = runbookWith('  note: { pattern: ".*" }\n');
    expect(validateParams(runbook, { note: 'a'.repeat(200) }).ok).toBe(true);
    expect(validateParams(runbook, { note: 'a'.repeat(201) }).ok).toBe(false);
  });

  it('refuses a parameter named __proto__ rather than dropping it', () => {
    expect(() => runbookWith('  __proto__: { default: "x", pattern: "x" }\n')).toThrow(
      /x\.yaml: line 7: the key __proto__ is not allowed/,
    );
  });
});
