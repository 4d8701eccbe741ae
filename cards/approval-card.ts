import { expectedLines } from './durations-block.js';
import { type ButtonSpec, buttonRow, type CardElement, card, HR, type LarkCard } from './elements.js';
import { escapeMarkdown } from './escape.js';
import { fitCard } from './fit-card.js';
import { formatDateTime, formatDuration } from './format.js';
import { fill, localize, markdown, pick, UI } from './i18n.js';
import { impactHint } from './impact-card.js';
import type { Detail } from './limits.js';
import type { I18nText, Locale, RenderOptions, RunView } from './model.js';
import { nextStepsElements } from './next-steps.js';
import { rejectForm } from './reject-form.js';
import { stepLines } from './step-lines.js';
import {
  approverIds,
  limited,
  md,
  mentions,
  preview,
  requesterLine,
  runIdLine,
  runTitle,
  struckMentions,
  subtitle,
  targetLine,
  voidApproverIds,
} from './view-parts.js';

/**
 * The approval card: what will run, on what, who asked, until when, the preflight, and Approve / Reject.
 * Approve is withheld when any preflight line failed (the card says why) and while the preflight is still
 * running (state `requested`); Reject is always offered.
 */
export function buildApprovalCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

function facts(view: RunView, opts: RenderOptions, d: Detail, l: Locale): string {
  const entries = Object.entries(view.params);
  const { shown, hidden } = limited(entries, d.maxItems);
  const params = shown.map(([k, v]) => `${md(k, d)} = ${md(v, d)}`);
  if (hidden > 0) params.push(pick(fill(UI.moreItems, { n: String(hidden) }), l));
  const lines = [
    targetLine(view, d, l),
    pick(fill(UI.params, { v: params.length > 0 ? params.join(' · ') : pick(UI.none, l) }), l),
  ];
  if (view.runnerPool !== undefined)
    lines.push(pick(fill(UI.runnerPool, { pool: md(view.runnerPool, d) }), l));
  if (view.rtoSeconds !== undefined) {
    lines.push(pick(fill(UI.rto, { v: formatDuration(view.rtoSeconds * 1000, l) }), l));
  }
  lines.push(...expectedLines(view, l));
  lines.push(requesterLine(view, l));
  if (view.expiresAt !== undefined) {
    const at = `${formatDateTime(view.expiresAt, opts.timezone)} (${escapeMarkdown(opts.timezone)})`;
    lines.push(pick(fill(UI.expires, { v: at }), l));
  }
  const approvers = approverIds(view);
  let approvals = pick(fill(UI.approvals, { n: String(new Set(approvers).size), q: String(view.quorum) }), l);
  if (approvers.length > 0) approvals += ` · ${mentions(approvers, d, l)}`;
  lines.push(approvals);
  const voided = voidApproverIds(view);
  if (voided.length > 0) lines.push(pick(fill(UI.voidApprovals, { v: struckMentions(voided, d, l) }), l));
  // Name (and so notify) who may approve, while an approval is still wanted.
  const open = view.state === 'requested' || view.state === 'awaiting_approval';
  const asked = (view.approverOpenIds ?? []).filter((id) => !approvers.includes(id));
  if (open && asked.length > 0) lines.push(pick(fill(UI.approversAsked, { v: mentions(asked, d, l) }), l));
  if (view.fourEyes) lines.push(pick(UI.fourEyes, l));
  lines.push(runIdLine(view, l));
  return lines.join('\n');
}

function preflightBlock(view: RunView, d: Detail, l: Locale): string | undefined {
  const all = view.preflight ?? [];
  if (all.length === 0) return view.state === 'requested' ? pick(UI.preflightPending, l) : undefined;
  // Failed checks first, so trimming for size never hides why Approve is missing.
  const ordered = [...all.filter((p) => !p.ok), ...all.filter((p) => p.ok)];
  const { shown, hidden } = limited(ordered, d.maxItems);
  const lines = shown.map((p) => {
    const title = md(pick(p.title, l) || p.id, d);
    const detail = typeof p.detail === 'string' ? p.detail : pick(p.detail, l);
    return detail ? `${p.ok ? '✓' : '✗'} ${title} — ${md(detail, d)}` : `${p.ok ? '✓' : '✗'} ${title}`;
  });
  if (hidden > 0) lines.push(pick(fill(UI.moreItems, { n: String(hidden) }), l));
  return [pick(UI.preflight, l), ...lines].join('\n');
}

/** What changed between approval and execution (the plan was re-bound), and that a new approval is needed. */
function planChangedBlock(view: RunView, d: Detail, l: Locale): string | undefined {
  const changes = view.planChanges ?? [];
  if (changes.length === 0 || view.state !== 'awaiting_approval') return undefined;
  const text = (t: I18nText) => md(pick(t, l), d);
  const { shown } = limited(changes, d.maxItems);
  const lines = shown.map((c) =>
    pick(fill(UI.planChange, { title: text(c.title), before: text(c.before), after: text(c.after) }), l),
  );
  return [pick(UI.planChanged, l), ...lines, pick(UI.planChangedAsk, l)].join('\n');
}

function noticesBlock(view: RunView, d: Detail, l: Locale): string | undefined {
  const all = view.notices ?? [];
  if (all.length === 0) return undefined;
  const { shown, hidden } = limited(all, d.maxItems);
  const lines = shown.map((n) => `⚠️ ${md(pick(n, l), d)}`);
  if (hidden > 0) lines.push(pick(fill(UI.moreItems, { n: String(hidden) }), l));
  return [pick(UI.notices, l), ...lines].join('\n');
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const locale = opts.locale;
  const failed = (view.preflight ?? []).filter((p) => !p.ok).length;
  const elements: CardElement[] = [];
  if (planChangedBlock(view, d, 'en-US') !== undefined) {
    elements.push(
      markdown(
        localize((l) => planChangedBlock(view, d, l) ?? ''),
        locale,
      ),
    );
  }
  elements.push(
    markdown(
      localize((l) => facts(view, opts, d, l)),
      locale,
    ),
    HR,
    markdown(
      localize((l) => [pick(UI.steps, l), ...stepLines(view, opts, d, l, 'titles')].join('\n')),
      locale,
    ),
  );
  if (preflightBlock(view, d, 'en-US') !== undefined) {
    elements.push(
      markdown(
        localize((l) => preflightBlock(view, d, l) ?? ''),
        locale,
      ),
    );
  }
  if (view.downgrades && (view.state === 'requested' || view.state === 'awaiting_approval')) {
    elements.push(markdown(impactHint(view.targetId), locale));
  }
  if (noticesBlock(view, d, 'en-US') !== undefined) {
    elements.push(
      markdown(
        localize((l) => noticesBlock(view, d, l) ?? ''),
        locale,
      ),
    );
  }
  const buttons: ButtonSpec[] = [];
  if (view.preflightFailed || view.state === 'failed') {
    // The request ended at its preflight: nothing to approve or reject any more.
    elements.push(
      markdown(fill(UI.preflightFailed, { n: String(failed) }), locale),
      ...nextStepsElements(view, locale),
    );
    return finish(view, d, elements, locale);
  }
  if (view.waitingForRunner) {
    elements.push(markdown(fill(UI.noRunner, { pool: view.waitingForRunner }), locale));
  } else if (failed > 0) {
    elements.push(
      markdown(fill(UI.approveWithheld, { n: String(failed) }), locale),
      ...nextStepsElements(view, locale),
    );
  } else if (view.state !== 'requested') {
    // While the preflight runs there is no plan to bind an approval to yet: only Reject is offered.
    buttons.push({
      id: 'approve_btn',
      text: UI.approve,
      type: 'primary_filled',
      value: { action: 'approve', run: view.runId, plan: view.planHash },
    });
  }
  if (buttons.length > 0) elements.push(buttonRow(buttons, locale));
  elements.push(rejectForm(view, locale));
  return finish(view, d, elements, locale);
}

function finish(view: RunView, d: Detail, elements: CardElement[], locale: Locale): LarkCard {
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: view.state === 'failed' || view.runbookId.includes('emergency') ? 'red' : 'orange',
      preview: preview(view, d),
      elements,
    },
    locale,
  );
}
