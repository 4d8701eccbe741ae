import { describe, expect, it } from 'vitest';
import { buildRunCard, type RunView } from '../../cards/index.js';
import {
  ATTACK,
  awaitingApproval,
  cancelled,
  expired,
  failed,
  paused,
  rejected,
  running,
  SHANGHAI_EN,
  SHANGHAI_ZH,
  succeeded,
} from './fixtures.js';
import { decodeEntities, markdownTexts } from './walk.js';

const attack = { 'zh-CN': ATTACK, 'en-US': ATTACK };

/** Every place user- or runbook-provided text reaches a card, set to the attack string. */
function poisoned(base: RunView): RunView {
  return {
    ...base,
    targetId: ATTACK,
    params: { [ATTACK]: ATTACK, revision: ATTACK },
    requesterOpenId: ATTACK,
    approvals: base.approvals.map((a) => ({ ...a, openId: ATTACK })),
    actorOpenId: ATTACK,
    reason: ATTACK,
    notices: [attack],
    preflight: [{ id: ATTACK, title: attack, ok: false, detail: ATTACK }],
    steps: base.steps.map((s) => ({
      ...s,
      id: ATTACK,
      title: attack,
      outputTail: `${ATTACK}\n\`\`\`\n${ATTACK}`,
    })),
  };
}

const views = [
  awaitingApproval(),
  running(),
  paused(),
  succeeded(),
  failed(),
  cancelled(),
  rejected(),
  expired(),
];

describe('user text renders inert in every card', () => {
  for (const base of views) {
    for (const opts of [SHANGHAI_EN, SHANGHAI_ZH]) {
      it(`${base.state} (${opts.locale})`, () => {
        const card = buildRunCard(poisoned(base), opts);
        for (const text of markdownTexts(card)) {
          // Outside code blocks: no bold, link, or mention of anyone but a real open id.
          const outsideCode = text.replace(/```[\s\S]*?```/g, '');
          expect(outsideCode).not.toContain('**x**');
          expect(outsideCode).not.toContain('[a](');
          expect(outsideCode).not.toMatch(/<at id=(?!ou_)/);
          expect(outsideCode).not.toContain('http://');
          // Inside code blocks the fence holds: exactly two fence lines per block, no live tag.
          for (const block of text.match(/```[\s\S]*?```/g) ?? []) {
            expect(block.split('\n').filter((l) => /^ {0,3}`{3,}/.test(l))).toHaveLength(2);
            expect(block).not.toMatch(/<at/);
          }
        }
        // The text is still there for people to read, escaped rather than dropped.
        const decoded = decodeEntities(markdownTexts(card).join('\n'));
        expect(decoded).toContain(ATTACK);
      });
    }
  }

  it('header and plain texts are plain_text (no markdown), so they carry the text verbatim', () => {
    const card = buildRunCard(poisoned(awaitingApproval()), SHANGHAI_EN);
    expect(card.header.title.tag).toBe('plain_text');
    expect(card.header.subtitle?.tag).toBe('plain_text');
    expect(card.header.subtitle?.content).toContain(ATTACK);
  });
});
