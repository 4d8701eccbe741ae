import { buttonRow, type CardElement, card, HR, type LarkCard } from './elements.js';
import { mention } from './escape.js';
import { fitCard } from './fit-card.js';
import { elapsedBetween, formatClock, formatElapsed } from './format.js';
import { fill, localize, markdown, pick, RUN_STATE, UI } from './i18n.js';
import type { Detail } from './limits.js';
import type { Locale, RenderOptions, RunView } from './model.js';
import { scheduleBlock } from './schedule-block.js';
import { stepLines } from './step-lines.js';
import {
  approvedByLine,
  latestInstant,
  preview,
  requesterLine,
  runIdLine,
  runTitle,
  subtitle,
  targetLine,
} from './view-parts.js';

/**
 * The live card of a queued or running run: each step with its state, start time and duration, the elapsed
 * time since the run started (as of the latest event in the model), and the two cancel buttons.
 */
export function buildProgressCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

/** `Running · elapsed T+01:05 (as of 10:33:10)`, or `Queued · not started yet`. */
export function statusText(view: RunView, opts: RenderOptions, l: Locale): string {
  const state = pick(RUN_STATE[view.state], l);
  const latest = latestInstant(view);
  const elapsed = elapsedBetween(view.startedAt, latest);
  if (latest === undefined || elapsed === undefined) return `${state} · ${pick(UI.notStarted, l)}`;
  const clock = formatClock(latest, opts.timezone);
  return `${state} · ${pick(fill(UI.elapsedAsOf, { elapsed: formatElapsed(elapsed), clock }), l)}`;
}

/**
 * The two stop buttons; once a stop is asked for, the card says so instead: after the current step it keeps only
 * Stop now, and a stop now leaves nothing to press.
 */
function stopControls(view: RunView, locale: Locale): CardElement[] {
  const who = view.actorOpenId ? mention(view.actorOpenId) : '—';
  const stopNow = {
    id: 'cancel_now_btn',
    text: UI.cancelNow,
    type: 'danger' as const,
    value: { action: 'cancel_now' as const, run: view.runId },
    confirm: { title: UI.cancelNowConfirmTitle, text: UI.cancelNowConfirmText },
  };
  if (view.cancelRequested === 'now') return [markdown(fill(UI.stoppingNow, { who }), locale)];
  if (view.cancelRequested === 'after_step') {
    return [markdown(fill(UI.stoppingAfterStep, { who }), locale), buttonRow([stopNow], locale)];
  }
  const afterStep = {
    id: 'cancel_step_btn',
    text: UI.cancelAfterStep,
    type: 'default' as const,
    value: { action: 'cancel_after_step' as const, run: view.runId },
  };
  return [buttonRow([afterStep, stopNow], locale)];
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const locale = opts.locale;
  const facts = localize((l) =>
    [
      pick(fill(UI.status, { v: statusText(view, opts, l) }), l),
      targetLine(view, d, l),
      requesterLine(view, l),
      approvedByLine(view, d, l),
      runIdLine(view, l),
    ].join('\n'),
  );
  const elements: CardElement[] = [
    markdown(facts, locale),
    ...scheduleBlock(view, opts),
    ...(view.waitingForRunner
      ? [markdown(fill(UI.waitingForRunner, { pool: view.waitingForRunner }), locale)]
      : []),
    HR,
    markdown(
      localize((l) => [pick(UI.steps, l), ...stepLines(view, opts, d, l, 'status')].join('\n')),
      locale,
    ),
    ...stopControls(view, locale),
  ];
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: view.state === 'queued' ? 'wathet' : 'blue',
      preview: preview(view, d),
      elements,
    },
    locale,
  );
}
