import { card, type LarkCard } from './elements.js';
import { escapeMarkdown } from './escape.js';
import { fitCard } from './fit-card.js';
import { formatDateTime } from './format.js';
import { fill, localize, markdown, pick, UI } from './i18n.js';
import type { Detail } from './limits.js';
import type { RenderOptions, RunView } from './model.js';
import {
  approverIds,
  preview,
  requesterLine,
  runIdLine,
  runTitle,
  subtitle,
  targetLine,
} from './view-parts.js';

/** A request nobody approved in time: when it expired and how many approvals it had. No buttons. */
export function buildExpiredCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const at = view.expiresAt ?? view.finishedAt;
  const time =
    at === undefined ? '—' : `${formatDateTime(at, opts.timezone)} (${escapeMarkdown(opts.timezone)})`;
  const n = String(new Set(approverIds(view)).size);
  const body = localize((l) =>
    [
      pick(fill(UI.expiredAt, { time, n, q: String(view.quorum) }), l),
      targetLine(view, d, l),
      requesterLine(view, l),
      runIdLine(view, l),
    ].join('\n'),
  );
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: 'grey',
      preview: preview(view, d),
      elements: [markdown(body, opts.locale)],
    },
    opts.locale,
  );
}
