import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, readCatalog, renderSteps } from '../../src/runbooks/index.js';
import { problemsOf, SHIPPED_TARGETS, tempDir } from './helpers.js';

/** A step's `when: { param, equals | not_equals }` (issue 9 item 1): validated, and decided at render time. */
const WITH_PARAM = (when: string, phase = 'steps') => `id: x
title: { zh-CN: 标题, en-US: Title }
params:
  restore: { default: "no", pattern: "^(yes|no)$" }
${phase === 'preflight' ? `preflight:\n  - id: pre\n    run: [echo, pre]\n    when: ${when}\n` : ''}steps:
  - id: one
    run: [echo, one]
${phase === 'steps' ? `    when: ${when}\n` : ''}`;

function rendered(yaml: string, params: Record<string, string>) {
  const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': yaml });
  const catalog = loadCatalog({ dir, env: { LARK_SERVICE_DATABASE_URL: 'postgresql://a:b@c/d' } });
  const runbook = catalog.runbooks.get('x');
  const target = catalog.targets.get('lark-service');
  if (!runbook || !target) throw new Error('fixture missing');
  return renderSteps(runbook, 'steps', target, params, { runId: 'r1', baseDir: '/srv' });
}

describe('a step condition (when)', () => {
  it('accepts equals and not_equals on a declared parameter', () => {
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, equals: "yes" }') })).toEqual([]);
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, not_equals: "yes" }') })).toEqual([]);
  });

  it('refuses an unknown parameter, an impossible value, both or neither operator, a preflight when', () => {
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restor, equals: "yes" }') })).toEqual([
      'runbooks/x.yaml: steps[0].when (line 8): when: the runbook declares no parameter "restor" (params: restore)',
    ]);
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, equals: "maybe" }') })).toEqual([
      'runbooks/x.yaml: steps[0].when (line 8): when: restore can never be "maybe" (its pattern is ^(yes|no)$)',
    ]);
    expect(
      problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, equals: "yes", not_equals: "no" }') }),
    ).toEqual([
      'runbooks/x.yaml: steps[0].when (line 8): give exactly one of equals or not_equals, e.g. { param: restore, equals: "yes" }',
    ]);
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore }') })[0]).toContain('give exactly one of');
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, is: "yes" }') })[0]).toContain(
      'unknown key "is"',
    );
    expect(problemsOf({ 'x.yaml': WITH_PARAM('{ param: restore, equals: "yes" }', 'preflight') })).toEqual([
      'runbooks/x.yaml: preflight[0].when (line 8): a preflight step cannot have a `when`: every preflight check runs',
    ]);
  });

  it('renders a skip reason, in both languages, only when the condition does not hold', () => {
    const equals = WITH_PARAM('{ param: restore, equals: "yes" }');
    expect(rendered(equals, { restore: 'yes' })[0]?.skip).toBeUndefined();
    expect(rendered(equals, {})[0]?.skip).toEqual({
      'zh-CN': 'restore=no，无需执行（仅在 restore=yes 时执行）',
      'en-US': 'restore=no, not needed (runs only when restore=yes)',
    });
    const unless = WITH_PARAM('{ param: restore, not_equals: "yes" }');
    expect(rendered(unless, { restore: 'no' })[0]?.skip).toBeUndefined();
    expect(rendered(unless, { restore: 'yes' })[0]?.skip).toEqual({
      'zh-CN': 'restore=yes，无需执行（restore=yes 时不执行）',
      'en-US': 'restore=yes, not needed (not run when restore=yes)',
    });
  });

  it('the shipped emergency runbook: restore runs only with restore=yes, the revision check only without', () => {
    const { catalog } = readCatalog({ dir: resolve('runbooks'), env: { LARK_SERVICE_DATABASE_URL: 'x' } });
    const runbook = catalog.runbooks.get('emergency');
    const target = catalog.targets.get('lark-service');
    if (!runbook || !target) throw new Error('emergency or lark-service missing');
    const skips = (params: Record<string, string>) =>
      Object.fromEntries(
        renderSteps(runbook, 'steps', target, params, { runId: 'r1', baseDir: '/srv' })
          .filter((s) => s.skip)
          .map((s) => [s.id, s.skip?.['en-US']]),
      );
    expect(skips({})).toEqual({ restore: 'restore=no, not needed (runs only when restore=yes)' });
    expect(skips({ restore: 'yes' })).toEqual({
      'verify-revision': 'restore=yes, not needed (runs only when restore=no)',
    });
    // No step asks the check program to skip itself any more, and both titles say the same condition.
    for (const step of runbook.steps) {
      const argv = typeof step.run === 'string' ? [step.run] : step.run;
      expect(argv).not.toContain('--only-if');
      expect(argv).not.toContain('--unless');
      if (step.when) {
        const cond = `restore=${'equals' in step.when ? step.when.equals : ''}`;
        expect(step.title['zh-CN']).toContain(`（仅当 ${cond}）`);
        expect(step.title['en-US']).toContain(`(only when ${cond})`);
      }
    }
  });
});
