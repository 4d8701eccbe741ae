import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pgClientConfig } from '../../src/checks/pg-config.js';

/** A check's database connection is configured from the check's env only, never from the worker's process.env. */

const password = async (config: { password?: unknown }) =>
  typeof config.password === 'function' ? await config.password() : config.password;

afterEach(() => vi.unstubAllEnvs());

describe('pgClientConfig', () => {
  it('takes every part from the URL when it has them', async () => {
    const config = pgClientConfig('postgres://app:p%40ss@db.internal:6543/lark?sslmode=require', {}, true);
    expect(config).toMatchObject({ user: 'app', host: 'db.internal', port: 6543, database: 'lark' });
    expect(config.ssl).toEqual({ rejectUnauthorized: false });
    expect(await password(config)).toBe('p@ss');
  });

  it("fills what the URL leaves out from the check's env, never from the worker's", async () => {
    vi.stubEnv('PGPASSWORD', 'worker-password');
    vi.stubEnv('PGUSER', 'worker-user');
    vi.stubEnv('PGOPTIONS', '-c search_path=worker');
    const inWorker = pgClientConfig('postgresql://127.0.0.1/lark', { USER: 'deploy' }, true);
    expect(inWorker).toMatchObject({
      user: 'deploy',
      host: '127.0.0.1',
      port: 5432,
      database: 'lark',
      ssl: false,
    });
    expect(await password(inWorker)).toBe('');
    // pg would read the worker's PGOPTIONS / PGCLIENT_ENCODING for what the config leaves unset: nothing is left.
    vi.stubEnv('PGCLIENT_ENCODING', 'LATIN1');
    const params = (new pg.Client(inWorker) as unknown as { connectionParameters: Record<string, unknown> })
      .connectionParameters;
    expect(String(params.options ?? '')).not.toContain('search_path=worker');
    expect(params.client_encoding).toBe('UTF8');
    const fromStep = pgClientConfig(
      'postgresql:///lark?host=/run/postgresql',
      { PGPASSWORD: 'step-pw', PGUSER: 'u' },
      true,
    );
    expect(fromStep).toMatchObject({ user: 'u', host: '/run/postgresql', database: 'lark' });
    expect(await password(fromStep)).toBe('step-pw');
  });

  it('the check command (its own process) leaves a missing password to pg, which reads its env and ~/.pgpass', () => {
    expect(pgClientConfig('postgresql://u@h/d', {}, false)).not.toHaveProperty('password');
    expect(pgClientConfig('not a url', {}, false)).toEqual({ connectionString: 'not a url' });
  });
});
