import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRunbooksDir, findRunbook, loadCatalog, pickTarget } from '../../src/runbooks/index.js';

const env = { LARK_SERVICE_DATABASE_URL: 'postgresql://lark:s3cret@127.0.0.1:5432/lark' };

describe('the shipped runbooks directory', () => {
  it('loads, with lark-service as the default target', () => {
    const catalog = loadCatalog({ dir: 'runbooks', env });
    expect(catalog.defaultTargetId).toBe('lark-service');
    const target = catalog.targets.get('lark-service');
    expect(target).toEqual({
      id: 'lark-service',
      default: true,
      env: { DATABASE_URL: env.LARK_SERVICE_DATABASE_URL },
      publicEnv: {
        LARK_SERVICE_URL: 'http://127.0.0.1:8000',
        LARK_SERVICE_STATE_DIR: './examples/lark-service/.run',
        ALEMBIC_CONFIG: 'alembic.ini',
      },
      vars: {
        environment: 'test',
        alembic_dir: './examples/lark-service',
        app_url: 'http://127.0.0.1:8000',
        backup_dir: './examples/lark-service/.run/backups',
        stop_app: ['./examples/lark-service/app', 'stop'],
        start_app: ['./examples/lark-service/app', 'start'],
        logs: ['./examples/lark-service/app', 'logs', '--since', '2m'],
        drill_to: '-1',
      },
    });
    expect(catalog.targets.get('production')?.unavailable).toBe('PROD_DATABASE_URL is not set');
    expect(catalog.targets.get('production')?.vars.environment).toBe('production');
    expect(catalog.targets.get('production')?.vars.stop_app).toEqual(['docker', 'compose', 'stop', 'app']);
  });

  it('has the precheck runbook with its aliases, read-only steps and a file hash', () => {
    const catalog = loadCatalog({ dir: 'runbooks', env });
    const precheck = findRunbook(catalog, '检查');
    expect(precheck?.id).toBe('precheck');
    expect(findRunbook(catalog, 'CHECK')).toBe(precheck);
    expect(findRunbook(catalog, 'precheck')).toBe(precheck);
    expect(findRunbook(catalog, 'nope')).toBeUndefined();
    expect(precheck?.file).toBe('runbooks/precheck.yaml');
    expect(precheck?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(precheck?.title).toEqual({ 'zh-CN': '回滚前检查', 'en-US': 'Pre-rollback checks' });
    expect(precheck?.approval).toEqual({
      approvers: 'tech_leads',
      quorum: 1,
      fourEyes: true,
      expiresInSeconds: 600,
      required: false,
    });
    expect(precheck?.steps.map((s) => [s.id, s.run, s.cwd, s.timeoutSeconds, s.idempotent])).toEqual([
      ['current', ['alembic', 'current'], '{{target.alembic_dir}}', 60, true],
      ['history', ['alembic', 'history', '--verbose'], '{{target.alembic_dir}}', 60, true],
      [
        'backup',
        [
          '{{bot.check}}',
          'backup-create',
          '--dir',
          '{{target.backup_dir}}',
          '--prefix',
          '{{target.id}}_before_downgrade',
        ],
        undefined,
        1800,
        true,
      ],
      [
        'backup-check',
        [
          '{{bot.check}}',
          'backup',
          '--dir',
          '{{target.backup_dir}}',
          '--prefix',
          '{{target.id}}_before_downgrade',
          '--max-age',
          '10m',
        ],
        undefined,
        600,
        true,
      ],
    ]);
  });

  it('marks lark-service unavailable too when its database variable is unset', () => {
    const catalog = loadCatalog({ dir: 'runbooks', env: {} });
    expect(catalog.targets.get('lark-service')?.unavailable).toBe('LARK_SERVICE_DATABASE_URL is not set');
    const precheck = findRunbook(catalog, 'precheck');
    if (!precheck) throw new Error('precheck missing');
    expect(pickTarget(catalog, precheck)).toEqual({
      ok: false,
      reason: 'target lark-service is unavailable: LARK_SERVICE_DATABASE_URL is not set',
    });
  });

  it('has the monitor runbook: read-only checks, no approval, works on both shipped targets', () => {
    const catalog = loadCatalog({
      dir: 'runbooks',
      env: { ...env, PROD_DATABASE_URL: 'postgresql://p@prod/db' },
    });
    const monitor = findRunbook(catalog, '监控');
    if (!monitor) throw new Error('monitor missing');
    expect(monitor.id).toBe('monitor');
    expect(findRunbook(catalog, '回滚后监控')).toBe(monitor);
    expect(monitor.title).toEqual({ 'zh-CN': '回滚后监控', 'en-US': 'Post-rollback monitoring' });
    expect(monitor.approval.required).toBe(false);
    expect(
      monitor.steps.map((s) => [s.id, s.idempotent, typeof s.run === 'string' ? s.run : s.run[1]]),
    ).toEqual([
      ['db-connections', true, 'db-connections'],
      ['latency', true, 'latency'],
      ['watch-logs', true, 'logs'],
    ]);
    for (const target of ['lark-service', 'production']) {
      expect(pickTarget(catalog, monitor, target)).toMatchObject({ ok: true });
    }
    // The emergency runbook ends with the same checks, after its log watch.
    const emergency = findRunbook(catalog, 'emergency');
    expect(emergency?.steps.slice(-3).map((s) => s.id)).toEqual(['watch-logs', 'db-connections', 'latency']);
  });

  it('passes `runbooks check` and says what is unavailable', () => {
    const result = checkRunbooksDir('runbooks', env);
    expect(result.ok).toBe(true);
    expect(result.messages).toContain(
      'runbook monitor (监控, 回滚后监控, 监控检查): Post-rollback monitoring; 1 preflight, 3 steps [runbooks/monitor.yaml]',
    );
    expect(result.messages).toContain('target lark-service (default): ok');
    expect(result.messages).toContain('target production: unavailable, PROD_DATABASE_URL is not set');
  });

  it('loads the DESIGN.md example runbook (plus the backup reason the validator requires) and targets', () => {
    const dir = resolve('tests/fixtures/runbooks-design');
    const catalog = loadCatalog({ dir, env: { ...env, PROD_DATABASE_URL: 'postgresql://p:q@prod/db' } });
    const emergency = findRunbook(catalog, '紧急');
    expect(emergency?.rtoSeconds).toBe(900);
    expect(emergency?.params).toEqual({ revision: { default: '-1', pattern: '^(-1|base|[0-9a-f]{12})$' } });
    expect(emergency?.steps.map((s) => s.id)).toEqual(['stop-app', 'downgrade', 'health']);
    expect(emergency?.steps[2]?.retry).toEqual({ attempts: 10, everySeconds: 3 });
    expect(emergency?.steps[1]?.title).toEqual({ 'zh-CN': 'downgrade', 'en-US': 'downgrade' });
    expect(catalog.targets.get('production')?.unavailable).toBeUndefined();
  });
});
