import { comparisonLine } from './durations-block.js';
import { type CardElement, card, type HeaderTemplate, HR, type LarkCard } from './elements.js';
import { codeBlock, codeSpan, mention } from './escape.js';
import { fitCard } from './fit-card.js';
import { elapsedBetween, formatDuration } from './format.js';
import { fill, localize, markdown, pick, RUN_STATE, UI } from './i18n.js';
import { type Detail, tailOutput } from './limits.js';
import type { I18nText, Locale, RenderOptions, RunState, RunView } from './model.js';
import { nextStepsElements } from './next-steps.js';
import { stepLines, stepTitle } from './step-lines.js';
import {
  approvedByLine,
  latestInstant,
  md,
  preview,
  requesterLine,
  runIdLine,
  runTitle,
  subtitle,
  targetLine,
} from './view-parts.js';

/**
 * The final card (succeeded / failed / cancelled): outcome, total time against the RTO budget, the timeline,
 * output tails of failed steps, who requested and approved, and how to export the timeline. No buttons.
 */
export function buildSummaryCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

const OUTCOME: Partial<Record<RunState, { icon: string; template: HeaderTemplate }>> = {
  succeeded: { icon: '✅', template: 'green' },
  failed: { icon: '❌', template: 'red' },
  cancelled: { icon: '⛔', template: 'grey' },
};

export function outcomeIcon(state: RunState): string {
  return OUTCOME[state]?.icon ?? 'ℹ️';
}

/** Total run time, or undefined when the run never started. */
export function totalMs(view: RunView): number | undefined {
  return elapsedBetween(view.startedAt, view.finishedAt ?? latestInstant(view));
}

/**
 * `4m 12s of RTO 15m 00s: ✅ within budget` for a succeeded run; `32.5s (RTO 15m 00s)` for one that failed or was
 * cancelled in time (markdown-safe: no user text).
 */
export function totalVsRto(view: RunView, l: Locale): string {
  const total = totalMs(view);
  if (total === undefined) return pick(UI.notStarted, l);
  const rto = view.rtoSeconds;
  if (rto === undefined || !Number.isFinite(rto)) return formatDuration(total, l);
  const over = total - rto * 1000;
  const times = { total: formatDuration(total, l), rto: formatDuration(rto * 1000, l) };
  // Only a run that reached its goal is "within budget"; over budget is said whatever the outcome.
  if (over <= 0 && view.state !== 'succeeded') return pick(fill(UI.totalWithRto, times), l);
  const verdict = over <= 0 ? UI.withinBudget : fill(UI.overBudget, { d: formatDuration(over, l) });
  return pick(fill(UI.totalVsRto, { ...times, verdict }), l);
}

function facts(view: RunView, d: Detail, l: Locale): string {
  const failedIdx = view.steps.findIndex((s) => s.state === 'failed' || s.state === 'timed_out');
  const failed = view.steps[failedIdx];
  let outcome = `${outcomeIcon(view.state)} ${pick(RUN_STATE[view.state], l)}`;
  if (failed) outcome += ` — ${failedIdx + 1}. ${md(stepTitle(failed, l), d)}`;
  const lines = [pick(fill(UI.outcome, { v: outcome }), l)];
  if (view.reason) lines.push(pick(fill(UI.reason, { v: md(view.reason, d) }), l));
  if (view.state === 'cancelled' && view.actorOpenId) {
    lines.push(pick(fill(UI.cancelledBy, { v: mention(view.actorOpenId) }), l));
  }
  lines.push(pick(fill(UI.totalTime, { v: totalVsRto(view, l) }), l));
  const compared = comparisonLine(view, totalMs(view), l);
  if (compared) lines.push(compared);
  lines.push(targetLine(view, d, l), requesterLine(view, l), approvedByLine(view, d, l), runIdLine(view, l));
  return lines.join('\n');
}

/** Heading + fenced block for each failed step's output tail, as many as the detail level allows. */
function tails(view: RunView, d: Detail, locale: Locale): CardElement[] {
  if (d.maxTails <= 0 || d.tailLines <= 0) return [];
  const out: CardElement[] = [];
  view.steps.forEach((step, i) => {
    if (out.length >= d.maxTails * 2) return;
    if ((step.state !== 'failed' && step.state !== 'timed_out') || !step.outputTail) return;
    const tail = tailOutput(step.outputTail, d.tailLines, d.tailBytes);
    if (tail.lines === 0) return;
    const heading: I18nText = localize((l) =>
      pick(fill(UI.outputOf, { step: `${i + 1}. ${md(stepTitle(step, l), d)}`, n: String(tail.lines) }), l),
    );
    // The block is the same in both languages: one copy, no i18n_content.
    out.push(markdown(heading, locale), markdown(codeBlock(tail.text), locale));
  });
  return out;
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const locale = opts.locale;
  const exportHint = fill(UI.exportHint, {
    chat: codeSpan(`/rollback export ${view.runId}`),
    cli: codeSpan(`rollback-bot export ${view.runId}`),
  });
  const elements: CardElement[] = [
    markdown(
      localize((l) => facts(view, d, l)),
      locale,
    ),
    HR,
    markdown(
      localize((l) => [pick(UI.timeline, l), ...stepLines(view, opts, d, l, 'results')].join('\n')),
      locale,
    ),
    ...tails(view, d, locale),
    ...nextStepsElements(view, locale),
    markdown(exportHint, locale, 'notation'),
  ];
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: OUTCOME[view.state]?.template ?? 'grey',
      preview: preview(view, d),
      elements,
    },
    locale,
  );
}
