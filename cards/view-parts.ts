import { codeSpan, escapeMarkdown, mention } from './escape.js';
import { fill, localize, pick, RUN_STATE, UI } from './i18n.js';
import { type Detail, truncateText } from './limits.js';
import type { I18nText, Locale, RunView } from './model.js';

/** Pieces several cards share. Every value from the model is clipped and escaped here, once. */

/** Display text from the model, clipped then escaped for markdown. */
export function md(text: string, detail: Detail): string {
  return escapeMarkdown(truncateText(text, detail.textChars));
}

export function runTitle(view: RunView, detail: Detail): I18nText {
  return localize((l) => truncateText(pick(view.title, l) || view.runbookId, detail.textChars));
}

/** Plain-text subtitle: state and target (header text is plain, so not escaped). */
export function subtitle(view: RunView, detail: Detail): I18nText {
  return fill(UI.subtitle, {
    state: RUN_STATE[view.state],
    target: truncateText(view.targetId, detail.textChars),
  });
}

export function preview(view: RunView, detail: Detail): I18nText {
  return fill(UI.preview, { state: RUN_STATE[view.state], title: runTitle(view, detail) });
}

/** At most `max` items, and how many were left out. */
export function limited<T>(items: readonly T[], max: number): { shown: T[]; hidden: number } {
  return { shown: items.slice(0, max), hidden: Math.max(0, items.length - max) };
}

/** Mentions of distinct ids, capped, with "… N more". */
export function mentions(ids: readonly string[], detail: Detail, l: Locale): string {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return pick(UI.none, l);
  const { shown, hidden } = limited(distinct, detail.maxItems);
  const parts = shown.map(mention);
  if (hidden > 0) parts.push(pick(fill(UI.moreItems, { n: String(hidden) }), l));
  return parts.join(' ');
}

/** Who approved the plan as it stands (approvals of an earlier plan are void and left out). */
export function approverIds(view: RunView): string[] {
  return view.approvals.filter((a) => a.decision === 'approve' && !a.void).map((a) => a.openId);
}

/** Who approved an earlier plan: void since the state changed. */
export function voidApproverIds(view: RunView): string[] {
  const valid = new Set(approverIds(view));
  return view.approvals
    .filter((a) => a.decision === 'approve' && a.void && !valid.has(a.openId))
    .map((a) => a.openId);
}

/** Struck-through mentions, for void approvals. */
export function struckMentions(ids: readonly string[], detail: Detail, l: Locale): string {
  const distinct = [...new Set(ids)];
  const { shown, hidden } = limited(distinct, detail.maxItems);
  const parts = shown.map((id) => `~~${mention(id)}~~`);
  if (hidden > 0) parts.push(pick(fill(UI.moreItems, { n: String(hidden) }), l));
  return parts.join(' ');
}

export function targetLine(view: RunView, detail: Detail, l: Locale): string {
  return pick(fill(UI.target, { v: md(view.targetId, detail) }), l);
}

export function requesterLine(view: RunView, l: Locale): string {
  return pick(fill(UI.requestedBy, { v: mention(view.requesterOpenId) }), l);
}

export function approvedByLine(view: RunView, detail: Detail, l: Locale): string {
  if (view.approvalNotNeeded && approverIds(view).length === 0) return pick(UI.approvalNotNeeded, l);
  return pick(fill(UI.approvedBy, { v: mentions(approverIds(view), detail, l) }), l);
}

/** The run id, whole (it is what `/rollback export` and `rollback-bot export` take). */
export function runIdLine(view: RunView, l: Locale): string {
  return pick(fill(UI.runId, { v: codeSpan(view.runId) }), l);
}

/** The latest instant the model knows of: the card's "as of" time, since builders may not read a clock. */
export function latestInstant(view: RunView): string | undefined {
  let best: string | undefined;
  let bestMs = Number.NEGATIVE_INFINITY;
  const candidates = [view.startedAt, view.finishedAt];
  for (const s of view.steps) candidates.push(s.startedAt, s.finishedAt);
  for (const iso of candidates) {
    const ms = iso === undefined ? Number.NaN : Date.parse(iso);
    if (Number.isFinite(ms) && ms > bestMs) {
      bestMs = ms;
      best = iso;
    }
  }
  return best;
}
