import { card, type LarkCard } from './elements.js';
import { escapeMarkdown, mention } from './escape.js';
import { fitCard } from './fit-card.js';
import { formatDateTime } from './format.js';
import { fill, localize, markdown, pick, UI } from './i18n.js';
import type { Detail } from './limits.js';
import type { RenderOptions, RunView } from './model.js';
import { md, preview, requesterLine, runIdLine, runTitle, subtitle, targetLine } from './view-parts.js';

/** A rejected request: who rejected it and when. No buttons. */
export function buildRejectedCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

/** The rejecting approval, else the run's actor and finish time. */
export function rejection(view: RunView): { who?: string; at?: string } {
  const r = view.approvals.find((a) => a.decision === 'reject');
  return r ? { who: r.openId, at: r.at } : { who: view.actorOpenId, at: view.finishedAt };
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const { who, at } = rejection(view);
  const time =
    at === undefined ? '—' : `${formatDateTime(at, opts.timezone)} (${escapeMarkdown(opts.timezone)})`;
  const body = localize((l) => {
    const lines = [pick(fill(UI.rejectedBy, { who: who ? mention(who) : '—', time }), l)];
    if (view.reason) lines.push(pick(fill(UI.reason, { v: md(view.reason, d) }), l));
    lines.push(targetLine(view, d, l), requesterLine(view, l), runIdLine(view, l));
    return lines.join('\n');
  });
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: 'red',
      preview: preview(view, d),
      elements: [markdown(body, opts.locale)],
    },
    opts.locale,
  );
}
