import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Catalog,
  loadCatalog,
  missingTargetKeys,
  type Runbook,
  RunbookError,
  renderSteps,
  type Target,
} from '../../src/runbooks/index.js';
import { runbookYaml, SHIPPED_TARGETS, tempDir } from './helpers.js';

const BASE = '/srv/bot';
const ENV = {
  LARK_SERVICE_DATABASE_URL: 'postgresql://lark:s3cret@db/lark',
  PROD_DATABASE_URL: 'postgresql://p:q@x/y',
};
const PROCESS_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/bot',
  LANG: 'C.UTF-8',
  TZ: 'Asia/Shanghai',
  LARK_APP_SECRET: 'lark-app-secret',
  DATABASE_URL: 'postgresql://bot:botpw@db/bot',
};

function design(): Catalog {
  return loadCatalog({ dir: resolve('tests/fixtures/runbooks-design'), env: ENV });
}

function get<T>(map: Map<string, T>, key: string): T {
  const value = map.get(key);
  if (value === undefined) throw new Error(`${key} missing`);
  return value;
}

function render(runbook: Runbook, target: Target, params: Record<string, string> = {}) {
  return renderSteps(runbook, 'steps', target, params, {
    runId: 'r7k2m9q4x1',
    baseDir: BASE,
    extraEnv: PROCESS_ENV,
  });
}

describe('renderSteps', () => {
  it('renders the DESIGN example: target argv spliced, params filled, paths resolved', () => {
    const catalog = design();
    const steps = render(get(catalog.runbooks, 'emergency'), get(catalog.targets, 'lark-service'));
    expect(steps.map((s) => [s.idx, s.id, s.argv, s.cwd, s.timeoutMs, s.idempotent, s.retry])).toEqual([
      [0, 'stop-app', ['/srv/bot/examples/lark-service/app', 'stop'], BASE, 60_000, true, undefined],
      [
        1,
        'downgrade',
        ['alembic', 'downgrade', '-1'],
        '/srv/bot/examples/lark-service',
        600_000,
        false,
        undefined,
      ],
      [
        2,
        'health',
        ['curl', '-fsS', 'http://127.0.0.1:8000/health/ready'],
        BASE,
        600_000,
        true,
        { attempts: 10, everyMs: 3000 },
      ],
    ]);
    const production = render(get(catalog.runbooks, 'emergency'), get(catalog.targets, 'production'), {
      revision: 'base',
    });
    expect(production[0]?.argv).toEqual(['docker', 'compose', 'stop', 'app']);
    expect(production[1]?.argv).toEqual(['alembic', 'downgrade', 'base']);
    expect(production[1]?.cwd).toBe('/srv/lark-service');
  });

  it('gives a step only PATH, HOME, LANG, TZ, the target env and its own env', () => {
    const yaml = runbookYaml('x', '    env: { PGAPPNAME: "rollback-{{run.id}}", TARGET: "{{target.id}}" }\n');
    const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': yaml });
    const catalog = loadCatalog({ dir, env: ENV });
    const [step] = render(get(catalog.runbooks, 'x'), get(catalog.targets, 'lark-service'));
    expect(step?.env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/bot',
      LANG: 'C.UTF-8',
      TZ: 'Asia/Shanghai',
      DATABASE_URL: 'postgresql://lark:s3cret@db/lark',
      LARK_SERVICE_URL: 'http://127.0.0.1:8000',
      LARK_SERVICE_STATE_DIR: './examples/lark-service/.run',
      ALEMBIC_CONFIG: 'alembic.ini',
      PGAPPNAME: 'rollback-r7k2m9q4x1',
      TARGET: 'lark-service',
    });
  });

  it('splices an element that is exactly an argv placeholder, and preflight renders too', () => {
    const yaml = `${runbookYaml('x', '  - id: logs\n    run: [timeout, 5s, "{{target.logs}}", --no-color]\n')}preflight:\n  - id: current\n    run: [alembic, current]\n    cwd: "{{target.alembic_dir}}"\n`;
    const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': yaml });
    const catalog = loadCatalog({ dir, env: ENV });
    const runbook = get(catalog.runbooks, 'x');
    const target = get(catalog.targets, 'lark-service');
    expect(render(runbook, target)[1]?.argv).toEqual([
      'timeout',
      '5s',
      './examples/lark-service/app',
      'logs',
      '--since',
      '2m',
      '--no-color',
    ]);
    const preflight = renderSteps(runbook, 'preflight', target, {}, { runId: 'r1', baseDir: BASE });
    expect(preflight).toEqual([
      {
        idx: 0,
        id: 'current',
        title: { 'zh-CN': 'current', 'en-US': 'current' },
        argv: ['alembic', 'current'],
        cwd: '/srv/bot/examples/lark-service',
        env: {
          PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          DATABASE_URL: ENV.LARK_SERVICE_DATABASE_URL,
          LARK_SERVICE_URL: 'http://127.0.0.1:8000',
          LARK_SERVICE_STATE_DIR: './examples/lark-service/.run',
          ALEMBIC_CONFIG: 'alembic.ini',
        },
        timeoutMs: 600_000,
        idempotent: false,
      },
    ]);
  });

  it('puts any parameter value into exactly one argv element, never a shell string', () => {
    const yaml = `${runbookYaml('x', '  - id: two\n    run: [psql, "--set=v={{params.note}}", "{{params.note}}"]\n')}params:\n  note: { pattern: "[^\\\\n]{1,50}" }\n`;
    const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': yaml });
    const catalog = loadCatalog({ dir, env: ENV });
    const runbook = get(catalog.runbooks, 'x');
    const target = get(catalog.targets, 'lark-service');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 50 }).filter((s) => !s.includes('\n')),
        (note) => {
          const steps = render(runbook, target, { note });
          expect(steps[1]?.argv).toEqual(['psql', `--set=v=${note}`, note]);
          for (const step of steps)
            expect(['sh', 'bash', '/bin/sh', '/bin/bash']).not.toContain(step.argv[0]);
        },
      ),
    );
    expect(render(runbook, target, { note: 'abc; rm -rf /' })[1]?.argv).toEqual([
      'psql',
      '--set=v=abc; rm -rf /',
      'abc; rm -rf /',
    ]);
  });

  it('refuses an unavailable target, a target lacking a key, and bad parameters', () => {
    const catalog = loadCatalog({ dir: resolve('tests/fixtures/runbooks-design'), env: {} });
    const emergency = get(catalog.runbooks, 'emergency');
    expect(() => render(emergency, get(catalog.targets, 'production'))).toThrow(
      'target production is unavailable: PROD_DATABASE_URL is not set',
    );
    const bare: Target = { id: 'bare', default: false, env: {}, vars: { stop_app: ['x'] } };
    expect(missingTargetKeys(emergency, bare)).toEqual(['alembic_dir', 'app_url']);
    let caught: unknown;
    try {
      render(emergency, bare, { revision: 'nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunbookError);
    expect((caught as RunbookError).code).toBe('RUNBOOK_RENDER');
    expect((caught as RunbookError).issues.map((i) => i.message)).toEqual([
      'revision must be -1, base or 12 hex digits',
    ]);
    expect(() => render(emergency, bare)).toThrow(
      'tests/fixtures/runbooks-design/emergency.yaml: steps[1].cwd: {{target.alembic_dir}}: target bare has no "alembic_dir"',
    );
  });
});
