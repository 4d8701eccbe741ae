import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightLine } from '../../cards/model.js';
import {
  approveValueOf,
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  ONCALL,
  replyTo,
  runState,
  startHarness,
} from '../helpers/harness.js';

/**
 * Issue 13 item 4: read-only preflight checks run side by side, so Approve is offered sooner; their results
 * stay in runbook order on the card, each keeps its timeout, a cancel kills them, `binds: true` is unchanged.
 * Overlap is asserted on the start and end times recorded in the run's view (Postgres), never on wall time.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ runbooksDir: 'tests/fixtures/issue13-runbooks' });
}, 30_000);
afterAll(async () => {
  await h?.close();
});

const cards = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');

async function request(text: string) {
  const before = cards().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  const card = await h.sandbox.waitFor(() => cards()[before], 10_000);
  const run = await eventually(async () => {
    const r = await h.ctx.pool.query('SELECT id FROM runs WHERE card_message_id = $1', [card.messageId]);
    return r.rows[0]?.id as string | undefined;
  });
  return { card, run };
}

async function preflightOf(run: string): Promise<PreflightLine[]> {
  const r = await h.ctx.pool.query(`SELECT view->'preflight' AS lines FROM runs WHERE id = $1`, [run]);
  return r.rows[0]?.lines ?? [];
}

const at = (iso: string | undefined) => Date.parse(iso ?? '');

describe('preflight side by side', () => {
  it('runs slow checks at once, lists them in runbook order, and binds as before', async () => {
    const { card, run } = await request('/rollback slow-preflight');
    const value = await h.sandbox.waitFor(() => {
      const now = h.sandbox.message(card.messageId);
      return now ? approveValueOf(now) : undefined;
    }, 20_000);
    const lines = await preflightOf(run);
    expect(lines.map((l) => [l.id, l.ok, l.detail])).toEqual([
      ['slow-a', true, 'a is fine'],
      ['slow-b', true, 'b is fine'],
      ['quick-c', true, 'c is fine'],
    ]);
    const [a, b] = lines;
    // Each slow check started before the other ended: they ran at the same time.
    expect(at(a?.startedAt)).toBeLessThan(at(b?.finishedAt));
    expect(at(b?.startedAt)).toBeLessThan(at(a?.finishedAt));
    // The card shows them in the runbook's order, whatever order they finished in.
    const json = JSON.stringify(h.sandbox.message(card.messageId)?.content);
    const order = ['Slow check A', 'Slow check B', 'Quick check C'].map((t) => json.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // binds: true is what the plan covers; the re-check before the first step sees the same and the run goes on.
    const observed = await h.ctx.pool.query(`SELECT view->>'observed' AS o FROM runs WHERE id = $1`, [run]);
    expect(observed.rows[0]?.o).toBe('slow-b=b is fine');
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    await runState(h, run, 'succeeded', 30_000);
  });

  it('keeps each check its own timeout: one times out, the others still report, the request fails', async () => {
    const { run } = await request('/rollback stuck-preflight');
    await runState(h, run, 'failed', 30_000);
    const lines = await preflightOf(run);
    expect(lines.map((l) => [l.id, l.ok])).toEqual([
      ['times-out', false],
      ['hangs', true],
      ['passes', true],
    ]);
    expect(JSON.stringify(lines[0]?.detail)).toMatch(/timed out after 1000 ms/);
  });

  it('a cancel while the checks run kills them', async () => {
    const { run } = await request('/rollback stuck-preflight hang=yes');
    const pidFile = join(h.markerDir, 'hang-yes.pid');
    const pid = await eventually(async () => {
      try {
        return Number(readFileSync(pidFile, 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    }, 20_000);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    await replyTo(h, CHAT, ONCALL, `/rollback cancel ${run}`);
    await runState(h, run, 'cancelled');
    await eventually(async () => !alive() || undefined, 15_000, `preflight process ${pid} to be killed`);
    // Nothing recorded over the cancel: the preflight did not write its lines to a cancelled request.
    expect(await preflightOf(run)).toEqual([]);
  });
});
