// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are targets.yaml ${VAR} syntax, not JS templates.
import { describe, expect, it } from 'vitest';
import { expandVars } from '../../src/runbooks/env-expand.js';
import { loadCatalog, pickTarget } from '../../src/runbooks/index.js';
import { problemsOf, runbookYaml, tempDir } from './helpers.js';

const TWO_TARGETS = `targets:
  - id: staging
    default: true
    env: { DATABASE_URL: "\${STAGING_DB}", PGAPPNAME: "bot-\${APP_SUFFIX:-rollback}" }
    app_url: "\${STAGING_URL:-http://127.0.0.1:8000}"
    alembic_dir: ./app
  - id: production
    env: { DATABASE_URL: "\${PROD_DB}" }
    app_url: https://prod.example.com
`;

describe('targets', () => {
  it('marks a target whose variable is unset as unavailable while the other loads', () => {
    const dir = tempDir({ 'targets.yaml': TWO_TARGETS, 'x.yaml': runbookYaml('x') });
    const catalog = loadCatalog({ dir, env: { PROD_DB: 'postgresql://u:pw@prod/db' } });
    expect(catalog.targets.get('staging')?.unavailable).toBe('STAGING_DB is not set');
    expect(catalog.targets.get('production')).toEqual({
      id: 'production',
      default: false,
      env: { DATABASE_URL: 'postgresql://u:pw@prod/db' },
      vars: { app_url: 'https://prod.example.com' },
    });
    expect(catalog.defaultTargetId).toBe('staging');
  });

  it('fills ${VAR} and ${VAR:-default}, treating an empty value as unset', () => {
    const dir = tempDir({ 'targets.yaml': TWO_TARGETS, 'x.yaml': runbookYaml('x') });
    const env = { STAGING_DB: 'db', STAGING_URL: '', APP_SUFFIX: 'blue', PROD_DB: '' };
    const catalog = loadCatalog({ dir, env });
    expect(catalog.targets.get('staging')).toMatchObject({
      env: { DATABASE_URL: 'db', PGAPPNAME: 'bot-blue' },
      vars: { app_url: 'http://127.0.0.1:8000', alembic_dir: './app' },
    });
    expect(catalog.targets.get('staging')?.unavailable).toBeUndefined();
    expect(catalog.targets.get('production')?.unavailable).toBe('PROD_DB is not set');
  });

  it('expands without re-expanding values and reports every missing name', () => {
    expect(expandVars('${A}-${B}-${C:-c}', { A: '${B}' })).toEqual({
      value: '${B}--c',
      missing: ['B'],
      errors: [],
    });
    expect(expandVars('${1X} ${OPEN', {}).errors).toEqual([
      '${1X} is not a variable reference; write ${NAME} or ${NAME:-default}',
      'a "${" is not closed with "}"',
    ]);
  });

  it('refuses two defaults, duplicate ids, bad references and non-string values', () => {
    const targets = `targets:
  - id: a
    default: true
    env: { URL: "\${1BAD}" }
  - id: b
    default: true
  - id: a
`;
    expect(problemsOf({ 'targets.yaml': targets, 'x.yaml': runbookYaml('x') })).toEqual([
      'runbooks/targets.yaml: targets[0].env.URL (line 4): ${1BAD} is not a variable reference; write ${NAME} or ${NAME:-default}',
      'runbooks/targets.yaml: targets[1].default (line 6): only one target may be the default, and "a" already is',
      'runbooks/targets.yaml: targets[2].id (line 7): duplicate target id "a"',
    ]);
    const typed = 'targets:\n  - id: a\n    port: 5432\n    stop_app: []\n    envv: {}\n';
    expect(problemsOf({ 'targets.yaml': typed, 'x.yaml': runbookYaml('x') })).toEqual([
      'runbooks/targets.yaml: targets[0].port (line 3): expected a string or a non-empty list of strings, got 5432 (quote it: "5432")',
      'runbooks/targets.yaml: targets[0].stop_app (line 4): expected a string or a non-empty list of strings, got a list',
      'runbooks/targets.yaml: targets[0].envv (line 5): expected a string or a non-empty list of strings, got a mapping',
    ]);
    expect(problemsOf({ 'targets.yaml': 'target: []\n', 'x.yaml': runbookYaml('x') })).toEqual([
      'runbooks/targets.yaml: targets (line 1): is required',
      'runbooks/targets.yaml: target (line 1): unknown key "target"; did you mean "targets"?',
    ]);
  });

  it('picks the named target, else the default, and says why it cannot', () => {
    const yaml = runbookYaml('x', '    cwd: "{{target.alembic_dir}}"\n');
    const dir = tempDir({ 'targets.yaml': TWO_TARGETS, 'x.yaml': yaml });
    const catalog = loadCatalog({ dir, env: { STAGING_DB: 'db', PROD_DB: 'db2' } });
    const runbook = catalog.runbooks.get('x');
    if (!runbook) throw new Error('x missing');
    expect(pickTarget(catalog, runbook)).toMatchObject({ ok: true, target: { id: 'staging' } });
    expect(pickTarget(catalog, runbook, 'production')).toEqual({
      ok: false,
      reason: 'target production does not define alembic_dir, which runbook x uses',
    });
    expect(pickTarget(catalog, runbook, 'moon')).toEqual({
      ok: false,
      reason: 'unknown target moon; known: staging, production',
    });
  });
});

describe('targets: runner pools, chats, approvers (issue 12)', () => {
  const POOLS = `targets:
  - id: payments
    runner: payments
    chats: [oc_pay, { id: oc_pay_2, name: 支付事故群 }]
    approvers: [ou_pay_lead, ou_pay_lead_2]
    approval: { quorum: 2, four_eyes: false, expires_in: 15m }
    env: { DATABASE_URL: "\${PAY_DB}" }
  - id: orders
    env: { DATABASE_URL: "\${ORDERS_DB}" }
`;

  it('reads the keys; a missing secret of a named pool is expected here, of the default pool it is not', () => {
    const dir = tempDir({ 'targets.yaml': POOLS, 'x.yaml': runbookYaml('x') });
    const catalog = loadCatalog({ dir, env: {} });
    expect(catalog.targets.get('payments')).toMatchObject({
      runner: 'payments',
      chats: [{ id: 'oc_pay' }, { id: 'oc_pay_2', name: '支付事故群' }],
      approvers: ['ou_pay_lead', 'ou_pay_lead_2'],
      approval: { quorum: 2, fourEyes: false, expiresInSeconds: 900 },
      secretsMissing: 'PAY_DB is not set',
    });
    expect(catalog.targets.get('payments')?.unavailable).toBeUndefined();
    expect(catalog.targets.get('orders')?.unavailable).toBe('ORDERS_DB is not set');
    expect(catalog.targets.get('orders')?.runner).toBeUndefined();
  });

  it('names what is wrong with a bad pool, chat or approver', () => {
    const bad = `targets:
  - id: a
    runner: Pay_Ments
    chats: [chat-1]
    approvers: [lead]
`;
    const problems = problemsOf({ 'targets.yaml': bad, 'x.yaml': runbookYaml('x') }).join('\n');
    expect(problems).toMatch(/runner.*pool name/);
    expect(problems).toMatch(/chats.*oc_/);
    expect(problems).toMatch(/approvers.*ou_/);
  });

  it('refuses a quorum that the named approvers can never reach', () => {
    const bad = `targets:
  - id: a
    approvers: [ou_only_lead]
    approval: { quorum: 2 }
`;
    const problems = problemsOf({ 'targets.yaml': bad, 'x.yaml': runbookYaml('x') }).join('\n');
    expect(problems).toMatch(/approval\.quorum is 2 but the target names only 1 approver/);
  });
});
