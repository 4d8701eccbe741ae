import { describe, expect, it } from 'vitest';
import { loadCatalog, RunbookError } from '../../src/runbooks/index.js';
import { problemsOf, runbookYaml, SHIPPED_TARGETS, tempDir } from './helpers.js';

const EMERGENCY_BAD_TIMEOUT = `id: emergency
title: { zh-CN: 紧急回滚, en-US: Emergency rollback }
rto: 15m
steps:
  - id: stop-app
    run: "{{target.stop_app}}"
    timeout: 60s
  - id: downgrade
    run: [alembic, downgrade, "-1"]
    cwd: "{{target.alembic_dir}}"
  - id: health
    run: [curl, -fsS, "{{target.app_url}}/health/ready"]
    idempotent: true
    timeout: ten
`;

describe('loadCatalog errors', () => {
  it('throws one RunbookError listing file, path, line and what is wrong', () => {
    const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'emergency.yaml': EMERGENCY_BAD_TIMEOUT });
    let caught: unknown;
    try {
      loadCatalog({ dir, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunbookError);
    const error = caught as RunbookError;
    expect(error.code).toBe('RUNBOOK_INVALID');
    expect(error.issues).toEqual([
      {
        file: `${dir}/emergency.yaml`,
        path: 'steps[2].timeout',
        line: 14,
        message: 'expected a duration like 90s, 10m or 1h, got "ten"',
      },
    ]);
    expect(error.message).toBe(
      `invalid runbooks (1 problem):\n  - ${dir}/emergency.yaml: steps[2].timeout (line 14): expected a duration like 90s, 10m or 1h, got "ten"`,
    );
  });

  it('names an unknown key, with a hint for a typo', () => {
    const yaml = runbookYaml('x', '    timout: 5s\nowner: me\n');
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: steps[0].timout (line 6): unknown key "timout"; did you mean "timeout"?',
      'runbooks/x.yaml: owner (line 7): unknown key "owner"',
    ]);
  });

  it('names a parameter pattern that is not a regular expression', () => {
    const yaml = `${runbookYaml('x')}params:\n  revision: { pattern: "([0-9a-f" }\n`;
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: params.revision.pattern (line 7): not a valid regular expression: Invalid regular expression: /^(?:([0-9a-f)$/: Unterminated character class',
    ]);
  });

  it('rejects a default that its own pattern refuses', () => {
    const yaml = `${runbookYaml('x')}params:\n  revision: { default: "-2", pattern: "-1|base" }\n`;
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: params.revision.default (line 7): the default "-2" does not match ^(?:-1|base)$',
    ]);
  });

  it('names a step id used twice across preflight and steps', () => {
    const yaml = `${runbookYaml('x')}preflight:\n  - id: one\n    run: [alembic, current]\n`;
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: steps[0].id (line 4): duplicate step id "one" (first used at preflight[0])',
    ]);
  });

  it('names an alias used by two files, and a runbook id used twice', () => {
    const problems = problemsOf({
      'a.yaml': runbookYaml('alpha', 'aliases: [紧急]\n'),
      'b.yaml': runbookYaml('beta', 'aliases: [Urgent, 紧急]\n'),
      'c.yaml': runbookYaml('alpha'),
      'd.yaml': runbookYaml('delta', 'aliases: [urgent]\n'),
    });
    expect(problems).toEqual([
      'runbooks/b.yaml: aliases[1] (line 6): alias "紧急" is already used by runbook alpha (runbooks/a.yaml)',
      'runbooks/c.yaml: id (line 1): duplicate runbook id "alpha" (also in runbooks/a.yaml)',
      'runbooks/d.yaml: aliases[0] (line 6): alias "urgent" is already used by runbook beta (runbooks/b.yaml)',
    ]);
  });

  it('names unknown placeholders and argv lists used inside a string', () => {
    const yaml = runbookYaml(
      'x',
      '  - id: two\n    run: [echo, "{{params.nope}}", "{{target.nope}}", "{{foo}}", "--x={{target.logs}}"]\n    cwd: "{{target.stop_app}}"\n',
    );
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: steps[1].run[1] (line 7): {{params.nope}}: the runbook declares no parameter "nope" (params: none)',
      'runbooks/x.yaml: steps[1].run[2] (line 7): {{target.nope}}: no target defines "nope"',
      'runbooks/x.yaml: steps[1].run[3] (line 7): unknown placeholder {{foo}}; use {{params.<name>}}, {{target.<key>}}, {{run.id}} or {{bot.check}}',
      'runbooks/x.yaml: steps[1].run[4] (line 7): {{target.logs}} is an argv list in some target; it can only stand alone as a whole argv element or run',
      'runbooks/x.yaml: steps[1].cwd (line 8): {{target.stop_app}} is an argv list in some target; it can only stand alone as a whole argv element or run',
    ]);
  });

  it('refuses a run string that is a shell command rather than a target argv', () => {
    const yaml = runbookYaml('x', '  - id: two\n    run: "alembic downgrade -1"\n');
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: steps[1].run (line 7): run must be an argv list like [alembic, current], or exactly "{{target.<key>}}" naming an argv list of the target; got "alembic downgrade -1"',
    ]);
  });

  it('names a title missing one language', () => {
    const yaml = 'id: x\ntitle:\n  zh-CN: 标题\nsteps:\n  - id: one\n    run: [echo]\n';
    expect(problemsOf({ 'x.yaml': yaml })).toEqual(['runbooks/x.yaml: title.en-US (line 2): is required']);
  });

  it('gives the line of a YAML syntax error', () => {
    const yaml = 'id: x\ntitle: { zh-CN: a, en-US: b }\nsteps:\n  - id: one\n    run: a: b\n';
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: line 5: YAML: Nested mappings are not allowed in compact mappings',
    ]);
    expect(problemsOf({ 'x.yaml': `${runbookYaml('x')}id: y\n` })).toEqual([
      'runbooks/x.yaml: line 6: YAML: Map keys must be unique',
    ]);
  });

  it('asks to quote numbers where strings are expected', () => {
    const yaml = `${runbookYaml('x', '    retry: { attempts: 0, every: 1s }\n')}params:\n  revision: { default: -1, pattern: ".*" }\n`;
    expect(problemsOf({ 'x.yaml': yaml })).toEqual([
      'runbooks/x.yaml: steps[0].retry.attempts (line 6): must be at least 1, got 0',
      'runbooks/x.yaml: params.revision.default (line 8): expected a string, got -1 (quote it: "-1")',
    ]);
  });

  it('refuses ids, aliases and command words the chat grammar cannot reach', () => {
    expect(problemsOf({ 'x.yaml': runbookYaml('Bad_ID') })).toEqual([
      'runbooks/x.yaml: id (line 1): must be lowercase letters, digits and "-" (^[a-z][a-z0-9-]{0,39}$), got "Bad_ID"',
    ]);
    expect(problemsOf({ 'x.yaml': runbookYaml('x', 'aliases: [Help, "a b", 状态]\n') })).toEqual([
      'runbooks/x.yaml: aliases[1] (line 6): an alias is 1 to 40 characters without spaces or "=", got "a b"',
    ]);
    expect(problemsOf({ 'x.yaml': runbookYaml('status', 'aliases: [Help, 状态]\n') })).toEqual([
      'runbooks/x.yaml: id (line 1): "status" is a /rollback command word',
      'runbooks/x.yaml: aliases[0] (line 6): "Help" is a /rollback command word',
      'runbooks/x.yaml: aliases[1] (line 6): "状态" is a /rollback command word',
    ]);
  });

  it('reports empty files, missing files and an empty directory', () => {
    expect(problemsOf({ 'x.yaml': '' })).toEqual([
      'runbooks/x.yaml: the file is empty; expected a mapping (key: value)',
    ]);
    expect(problemsOf({})).toEqual(['runbooks: no runbook files (*.yaml) here']);
    const dir = tempDir({ 'x.yaml': runbookYaml('x') });
    expect(() => loadCatalog({ dir, env: {} })).toThrow(
      `${dir}/targets.yaml: cannot read the file: it does not exist`,
    );
  });

  it('lists every problem of every file at once', () => {
    const problems = problemsOf({
      'a.yaml': runbookYaml('a', '    timeout: 0s\n'),
      'b.yaml': runbookYaml('b', '    cwd: "{{target.missing}}"\n'),
    });
    expect(problems).toEqual([
      'runbooks/a.yaml: steps[0].timeout (line 6): must be between 1s and 24h, got "0s"',
      'runbooks/b.yaml: steps[0].cwd (line 6): {{target.missing}}: no target defines "missing"',
    ]);
  });
});
