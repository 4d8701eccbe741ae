import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';

/**
 * Issue 10, no dead ends: after a default `emergency` that went to base (the example service's only migration),
 * the failed run's card names the runbooks that fit, and running them brings the example app back healthy.
 * Whole bot (sandbox → server → worker → sandbox), real alembic, pg_dump/pg_restore and the example app.
 */
let h: Harness;
let service: LarkService;

beforeAll(async () => {
  service = await startLarkService('recovery-e2e-password');
  h = await startHarness({ env: service.env });
});

afterAll(async () => {
  await h?.close();
  await service?.close();
});

const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
const cardJson = (messageId: string) => JSON.stringify(h.sandbox.message(messageId)?.content ?? {});

/** The English "What to run next" commands on a card, in order. */
function suggestions(messageId: string): string[] {
  const card = h.sandbox.message(messageId)?.content as { body?: { elements?: unknown[] } } | undefined;
  const texts = JSON.stringify(card ?? {});
  const en = /"en_us":"(👉 \*\*What to run next\*\*[^"]*)"/.exec(texts)?.[1] ?? '';
  return [...en.matchAll(/`(\/rollback [^`]+)`/g)].map((m) => m[1] ?? '');
}

/** Send a command, wait for its card's Approve (or for the preflight to refuse), approve unless told not to. */
async function request(command: string, final?: 'succeeded' | 'failed') {
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: command });
  const card = await h.sandbox.waitFor(() => cards()[before], 15_000);
  const value = await h.sandbox.waitFor(() => {
    const text = cardJson(card.messageId);
    const match = /"value":(\{"action":"approve"[^}]*\})/.exec(text);
    if (match?.[1]) return JSON.parse(match[1]) as { action: string; run: string; plan: string };
    // A refused preflight ends the request (failed, target free): no buttons, the run id on the card.
    const run = /\*\*Run:\*\* `([^`]+)`/.exec(text)?.[1];
    return run && /this request ended/.test(text) ? { action: 'refused', run, plan: '' } : undefined;
  }, 30_000);
  if (final === undefined || value.action === 'refused') return { card, runId: value.run, refused: true };
  const answer = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
  expect(answer.toast?.type).toBe('success');
  await runState(h, value.run, final, 150_000);
  // The run card is patched to the summary in the same transaction as the final state; wait for its delivery.
  await h.sandbox.waitFor(() => /Total time|RTO/.test(cardJson(card.messageId)) || undefined, 15_000);
  return { card, runId: value.run, refused: false };
}

const ready = async () => (await fetch(`${service.url}/health/ready`)).status;
const alembic = (...args: string[]) =>
  execa('alembic', args, {
    cwd: 'examples/lark-service',
    env: { DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '' },
  });

describe('a way forward after a failed rollback', () => {
  it('a default emergency at the only migration fails at base; its card suggests recover and restore; each brings the app back', {
    timeout: 300_000,
  }, async () => {
    await service.insertToken('kept');
    const failed = await request('/rollback emergency watch=2s', 'failed');
    const steps = await h.ctx.pool.query('SELECT step_id, state FROM steps WHERE run_id = $1 ORDER BY idx', [
      failed.runId,
    ]);
    expect(steps.rows.find((s) => s.step_id === 'downgrade')?.state).toBe('succeeded');
    expect(steps.rows.find((s) => s.step_id === 'health')?.state).toBe('failed');
    expect((await alembic('current')).stdout.trim()).toBe('');

    const next = suggestions(failed.card.messageId);
    expect(next[0]).toBe('/rollback recover lark-service revision=6fc3f28b87c8');
    expect(next[1]).toMatch(
      /^\/rollback restore lark-service backup=lark-service_emergency_\d{8}_\d{6}\.dump$/,
    );
    expect(cardJson(failed.card.messageId)).toContain('下一步可以运行');

    // The suggested recover: alembic upgrade back to where the run started, restart, health green.
    const recovered = await request(`${next[0]} watch=2s`, 'succeeded');
    expect(recovered.refused).toBe(false);
    expect((await alembic('current')).stdout).toContain('6fc3f28b87c8 (head)');
    expect(await ready()).toBe(200);
    expect(suggestions(recovered.card.messageId)).toEqual([]);

    // Down to base again by hand: the preflight of a downgrade refuses, and its card says what to run instead.
    await execa('examples/lark-service/app', ['stop'], {
      env: { ...process.env, LARK_SERVICE_STATE_DIR: service.env.LARK_SERVICE_STATE_DIR ?? '' },
    });
    await alembic('downgrade', 'base');
    const refused = await request('/rollback one');
    expect(refused.refused).toBe(true);
    expect(suggestions(refused.card.messageId)).toEqual([
      '/rollback recover lark-service',
      '/rollback restore lark-service',
    ]);
    // The refused request has already ended and freed the target: nothing to reject.
    await runState(h, refused.runId, 'failed');

    // The suggested restore, from base: the emergency's own backup (taken before its downgrade) comes back.
    const restored = await request(`${next[1]} watch=2s`, 'succeeded');
    expect(restored.refused).toBe(false);
    expect(await service.tokens()).toEqual(['kept']);
    expect((await alembic('current')).stdout).toContain('6fc3f28b87c8 (head)');
    expect(await ready()).toBe(200);
  });
});
