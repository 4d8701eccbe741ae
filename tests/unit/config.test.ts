import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';

const good = {
  LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
  LARK_APP_SECRET: 's3cret',
  LARK_VERIFICATION_TOKEN: 'vtoken',
  INCIDENT_CHAT_IDS: 'oc_1, oc_2',
  TECH_LEAD_OPEN_IDS: 'ou_lead',
  DATABASE_URL: 'postgres://postgres@127.0.0.1/x',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses lists and applies defaults', () => {
    const config = loadConfig(good);
    expect(config.INCIDENT_CHAT_IDS).toEqual(['oc_1', 'oc_2']);
    expect(config.TIMEZONE).toBe('Asia/Shanghai');
    expect(config.PORT).toBe(3000);
    expect(config.LARK_ENCRYPT_KEY).toBe('');
    expect(config.TARGETS_FILE).toBe('./runbooks/targets.yaml');
  });

  it('names every missing secret, with no defaults', () => {
    const problems = problemsOf({ ...good, LARK_APP_SECRET: undefined, LARK_VERIFICATION_TOKEN: '' });
    expect(problems).toEqual(['LARK_APP_SECRET is required', 'LARK_VERIFICATION_TOKEN is required']);
  });

  it('names a bad value', () => {
    expect(problemsOf({ ...good, TIMEZONE: 'Mars/Olympus' })[0]).toMatch(/^TIMEZONE must be an IANA/);
    expect(problemsOf({ ...good, LARK_DOMAIN: 'http://x:4000/' })[0]).toMatch(/^LARK_DOMAIN /);
    expect(problemsOf({ ...good, PORT: 'eighty' })[0]).toMatch(/^PORT /);
    expect(problemsOf({ ...good, TECH_LEAD_OPEN_IDS: ' , ' })[0]).toMatch(/^TECH_LEAD_OPEN_IDS needs/);
  });
});
