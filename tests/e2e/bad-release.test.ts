import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBadMigration, startExampleApp } from '../../src/worker/example-service.js';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

/**
 * Issue 10, part 2: the seed's scenario 3 for real. The example service with its next release deployed
 * (release.ini: migration 9d4b2e7c1a35 renames a column the app reads); the demo's "simulate a bad release"
 * applies it and the app's health fails; `/rollback emergency` with its defaults goes one revision down and the
 * app is healthy again, with nothing restored (the rows written before the release are still there).
 */
let h: Harness;
let service: LarkService;
let env: Record<string, string>;

beforeAll(async () => {
  service = await startLarkService('bad-release-e2e-password');
  // The demo's configuration (src/cli/demo-env.ts): the release deployed, the drill going down to base.
  env = { ...service.env, LARK_SERVICE_ALEMBIC_CONFIG: 'release.ini', LARK_SERVICE_DRILL_TO: 'base' };
  h = await startHarness({ env });
});

afterAll(async () => {
  await h?.close();
  await service?.close();
});

const ready = async () => (await fetch(`${service.url}/health/ready`)).status;
const current = async () =>
  (
    await execa('alembic', ['current'], {
      cwd: 'examples/lark-service',
      env: { DATABASE_URL: env.LARK_SERVICE_DATABASE_URL ?? '', ALEMBIC_CONFIG: 'release.ini' },
    })
  ).stdout.trim();

describe('scenario 3: a bad release, then the default emergency rollback', () => {
  it('goes one revision down, restores nothing, and the app is healthy again', {
    timeout: 180_000,
  }, async () => {
    const example = {
      root: process.cwd(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DATABASE_URL: env.LARK_SERVICE_DATABASE_URL ?? '',
        LARK_SERVICE_URL: env.LARK_SERVICE_URL ?? '',
        LARK_SERVICE_STATE_DIR: env.LARK_SERVICE_STATE_DIR ?? '',
        ALEMBIC_CONFIG: 'release.ini',
      },
    };
    await service.insertToken('before-release');
    await startExampleApp(example);
    expect(await ready()).toBe(200);
    await releaseBadMigration(example);
    expect(await current()).toBe('9d4b2e7c1a35 (head)');
    expect(await ready()).toBe(503);

    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback emergency watch=3s' });
    const card = await h.sandbox.waitFor(() => cards()[0], 15_000);
    const value = await h.sandbox.waitFor(() => {
      const match = /"value":(\{"action":"approve"[^}]*\})/.exec(
        JSON.stringify(h.sandbox.message(card.messageId)?.content),
      );
      return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
    }, 30_000);
    // The preview on the approval card: one revision down, no table dropped.
    expect(JSON.stringify(h.sandbox.message(card.messageId)?.content)).toContain(
      '9d4b2e7c1a35 → 6fc3f28b87c8&#58; drops no table or index',
    );
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    await runState(h, value.run, 'succeeded', 150_000);

    const steps = await h.ctx.pool.query(
      'SELECT step_id, state, output_tail FROM steps WHERE run_id = $1 ORDER BY idx',
      [value.run],
    );
    // Every step succeeded but the restore, which restore=no skips (nothing spawned, so no output).
    expect(steps.rows.filter((s) => s.state !== 'succeeded').map((s) => [s.step_id, s.state])).toEqual([
      ['restore', 'skipped'],
    ]);
    // It ends with the seed's post-rollback monitoring: clean logs, healthy connections, the API in time.
    expect(steps.rows.slice(-3).map((s) => s.step_id)).toEqual(['watch-logs', 'db-connections', 'latency']);
    expect(steps.rows.at(-1)?.output_tail).toMatch(
      /latency: GET .*\/health\/ready: 20 request\(s\), p95 [\d.]+ms under 500ms/,
    );
    expect(await current()).toBe('6fc3f28b87c8');
    expect(await ready()).toBe(200);
    expect(await service.tokens()).toEqual(['before-release']);
  });

  it('the drill still works with two migrations (down to base, up to head again)', {
    timeout: 180_000,
  }, async () => {
    const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
    const before = cards().length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback drill' });
    const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
    const value = await h.sandbox.waitFor(() => {
      const match = /"value":(\{"action":"approve"[^}]*\})/.exec(
        JSON.stringify(h.sandbox.message(card.messageId)?.content),
      );
      return match?.[1] ? (JSON.parse(match[1]) as { action: string; run: string; plan: string }) : undefined;
    }, 30_000);
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    await runState(h, value.run, 'succeeded', 150_000);
    expect(await current()).toBe('9d4b2e7c1a35 (head)');
  });
});
