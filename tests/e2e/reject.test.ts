import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT, type Harness, LEAD_A, ONCALL, runState, startHarness, textOf } from '../helpers/harness.js';

/** Issue 10 part 4: Reject takes an optional reason (a Card JSON 2.0 form), recorded and shown. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Card = { messageId: string; content: unknown };
const cardsIn = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
const repliesTo = (messageId: string) =>
  h.sandbox.botMessages().filter((m) => m.parentId === messageId && m.msgType !== 'interactive');

async function requestCard(): Promise<Card> {
  const before = cardsIn().length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback thin' });
  const card = await h.sandbox.waitFor(() => cardsIn()[before], 10_000);
  // Wait for the preflight to finish (Approve appears) so the request awaits approval.
  return h.sandbox.waitFor(() => {
    const now = h.sandbox.message(card.messageId);
    return now && JSON.stringify(now.content).includes('"action":"approve"') ? now : undefined;
  }, 10_000);
}

/** The Reject button inside the card's form, and the form's input. */
function rejectForm(card: Card) {
  const elements = (card.content as { body: { elements: Record<string, unknown>[] } }).body.elements;
  const form = elements.find((e) => e.tag === 'form') as { elements: Record<string, unknown>[] } | undefined;
  if (!form) throw new Error(`no form in ${JSON.stringify(card.content).slice(0, 400)}`);
  const input = form.elements.find((e) => e.tag === 'input') as { name: string; placeholder: unknown };
  const button = form.elements.find((e) => e.tag === 'button') as {
    name: string;
    form_action_type: string;
    behaviors: { value: { action: string; run: string } }[];
  };
  return { input, button, value: button.behaviors[0]?.value as { action: string; run: string } };
}

describe('reject with a reason', () => {
  it('the reason typed into the form is stored, shown on the rejected card and posted in the thread', async () => {
    const card = await requestCard();
    const { input, button, value } = rejectForm(card);
    expect(button.form_action_type).toBe('submit');
    expect(value.action).toBe('reject');
    expect(JSON.stringify(input.placeholder)).toContain('Reason for rejecting (optional)');
    expect(JSON.stringify(input.placeholder)).toContain('拒绝原因（可选）');

    const clicked = await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value,
      name: button.name,
      formValue: { [input.name]: '  wrong target,\n use the staging copy first  ' },
    });
    expect(clicked.toast?.type).toBe('info');
    await runState(h, value.run, 'rejected');
    const row = await h.ctx.pool.query('SELECT reason, actor_open_id FROM runs WHERE id = $1', [value.run]);
    expect(row.rows[0]).toEqual({
      reason: 'wrong target, use the staging copy first',
      actor_open_id: LEAD_A,
    });

    const shown = JSON.stringify(h.sandbox.message(card.messageId)?.content);
    expect(shown).toContain('**Reason:** wrong target, use the staging copy first');
    expect(shown).toContain('**原因**：wrong target, use the staging copy first');
    expect(shown).not.toContain('"tag":"form"');

    const reply = await h.sandbox.waitFor(
      () => repliesTo(card.messageId).find((m) => textOf(m).includes('use the staging copy first')),
      10_000,
    );
    expect(textOf(reply)).toMatch(/Rejected\. Reason: wrong target, use the staging copy first|拒绝原因：/);
  });

  it('an empty reason rejects as before: no reason line, nothing in the thread', async () => {
    const card = await requestCard();
    const { input, button, value } = rejectForm(card);
    await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value,
      name: button.name,
      formValue: { [input.name]: '   ' },
    });
    await runState(h, value.run, 'rejected');
    const row = await h.ctx.pool.query('SELECT reason FROM runs WHERE id = $1', [value.run]);
    expect(row.rows[0].reason).toBeNull();
    expect(JSON.stringify(h.sandbox.message(card.messageId)?.content)).not.toContain('**Reason:**');
    expect(repliesTo(card.messageId).map(textOf).join('\n')).not.toMatch(/Rejected\. Reason|拒绝原因/);
  });
});
