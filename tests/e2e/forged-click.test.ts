import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT, eventually, type Harness, LEAD_A, LEAD_B, ONCALL, startHarness } from '../helpers/harness.js';

/**
 * Issue 9 item 14: a click's answer replaces the card that was clicked. A click on run X's card whose value
 * names another run F (forged, or a copied button) must not put F's card on X's message, nor act on F.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const cardsIn = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');

/** Request a run; wait until its card was sent and recorded as the run's card message. */
async function request(text: string) {
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  expect(said.status).toBe(200);
  const row = await eventually(async () => {
    const r = await h.ctx.pool.query(
      'SELECT id, card_message_id, state FROM runs WHERE source_message_id = $1',
      [said.messageId],
    );
    const run = r.rows[0];
    return run?.card_message_id && run.state === 'awaiting_approval' ? run : undefined;
  }, 20_000);
  const card = await h.sandbox.waitFor(() => cardsIn().find((m) => m.messageId === row.card_message_id));
  return { run: row.id as string, card };
}

function buttons(card: { messageId: string }): Record<string, Record<string, string>> {
  const json = JSON.stringify(h.sandbox.message(card.messageId)?.content);
  const out: Record<string, Record<string, string>> = {};
  for (const match of json.matchAll(/"value":(\{"action":"[a-z_]+"[^}]*\})/g)) {
    const value = JSON.parse(match[1] as string) as Record<string, string>;
    out[value.action as string] = value;
  }
  return out;
}

const stateOf = async (run: string) =>
  (await h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [run])).rows[0]?.state;
const approvalsOf = async (run: string) =>
  (await h.ctx.pool.query('SELECT count(*)::int AS n FROM approvals WHERE run_id = $1', [run])).rows[0].n;

describe('a click whose value names another run than the clicked card', () => {
  it("never answers with a finished run's card on another run's approval card", async () => {
    const f = await request('/rollback thin');
    const rejected = await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: f.card.messageId,
      value: buttons(f.card).reject as Record<string, string>,
    });
    expect(rejected.toast?.type).toBe('info');
    expect(await stateOf(f.run)).toBe('rejected');

    const x = await request('/rollback thin');
    const before = JSON.stringify(h.sandbox.message(x.card.messageId)?.content);
    expect(before).toContain('"action":"approve"');
    const forged = await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: x.card.messageId,
      value: { action: 'reject', run: f.run },
    });
    expect(forged.status).toBe(200);
    expect(forged.toast?.type).toBe('error');
    expect(forged.card).toBeUndefined();
    // X's card still shows X's request with its buttons; X is untouched.
    expect(JSON.stringify(h.sandbox.message(x.card.messageId)?.content)).toBe(before);
    expect(await stateOf(x.run)).toBe('awaiting_approval');

    // The real button on X's card still works, and answers with X's card.
    const real = await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: x.card.messageId,
      value: buttons(x.card).reject as Record<string, string>,
    });
    expect(real.toast?.type).toBe('info');
    expect(JSON.stringify(real.card)).not.toContain('"action":"approve"');
    expect(await stateOf(x.run)).toBe('rejected');
  }, 60_000);

  it('does not act on the named run either', async () => {
    const f = await request('/rollback thin');
    const x = await request('/rollback failing other-db');
    const fApprove = buttons(f.card).approve as Record<string, string>;
    const forged = await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: x.card.messageId,
      value: fApprove,
    });
    expect(forged.toast?.type).toBe('error');
    expect(forged.card).toBeUndefined();
    expect(await stateOf(f.run)).toBe('awaiting_approval');
    expect(await approvalsOf(f.run)).toBe(0);
    expect(await stateOf(x.run)).toBe('awaiting_approval');
    for (const run of [f, x]) {
      await h.sandbox.click({
        operatorOpenId: LEAD_A,
        messageId: run.card.messageId,
        value: buttons(run.card).reject as Record<string, string>,
      });
    }
  }, 60_000);
});
