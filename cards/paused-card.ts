import { type ButtonSpec, buttonRow, type CardElement, card, HR, type LarkCard } from './elements.js';
import { fitCard } from './fit-card.js';
import { elapsedBetween, formatClock, formatElapsed } from './format.js';
import { fill, localize, markdown, pick, UI } from './i18n.js';
import type { Detail } from './limits.js';
import type { Locale, RenderOptions, RunView, StepView } from './model.js';
import { stepLines, stepTitle } from './step-lines.js';
import {
  approvedByLine,
  md,
  preview,
  requesterLine,
  runIdLine,
  runTitle,
  subtitle,
  targetLine,
} from './view-parts.js';

/**
 * A paused run: a worker died while a step was running and the step was not idempotent, so it became
 * `interrupted` and waits for a person. Retry / Skip carry the step idx in `plan`; Abort ends the run.
 */
export function buildPausedCard(view: RunView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

/** The step the decision is about: the interrupted one, else the one that was running or next. */
export function pausedStep(view: RunView): { step: StepView; n: number } | undefined {
  for (const state of ['interrupted', 'running', 'pending'] as const) {
    const i = view.steps.findIndex((s) => s.state === state);
    const step = view.steps[i];
    if (step) return { step, n: i + 1 };
  }
  return undefined;
}

function explanation(view: RunView, opts: RenderOptions, d: Detail, l: Locale): string {
  const target = pausedStep(view);
  if (!target) return pick(UI.pausedUnknown, l);
  const { step, n } = target;
  const when = step.startedAt;
  const offset = elapsedBetween(view.startedAt, when);
  const text = fill(step.idempotent ? UI.pausedInterrupted : UI.pausedNotRerun, {
    step: `${n}. ${md(stepTitle(step, l), d)}`,
    time: when === undefined ? '--:--:--' : formatClock(when, opts.timezone),
    elapsed: offset === undefined ? formatElapsed(Number.NaN) : formatElapsed(offset),
  });
  return `${pick(text, l)}\n${pick(UI.pausedChoose, l)}`;
}

function render(view: RunView, opts: RenderOptions, d: Detail): LarkCard {
  const locale = opts.locale;
  const target = pausedStep(view);
  const elements: CardElement[] = [
    markdown(
      localize((l) => explanation(view, opts, d, l)),
      locale,
    ),
    markdown(
      localize((l) =>
        [targetLine(view, d, l), requesterLine(view, l), approvedByLine(view, d, l), runIdLine(view, l)].join(
          '\n',
        ),
      ),
      locale,
    ),
    HR,
    markdown(
      localize((l) => [pick(UI.steps, l), ...stepLines(view, opts, d, l, 'status')].join('\n')),
      locale,
    ),
  ];
  const buttons: ButtonSpec[] = [];
  const plan = target ? { plan: String(target.step.idx) } : {};
  if (target) {
    buttons.push(
      {
        id: 'retry_btn',
        text: UI.retry,
        type: 'primary_filled',
        value: { action: 'retry', run: view.runId, ...plan },
      },
      { id: 'skip_btn', text: UI.skip, type: 'default', value: { action: 'skip', run: view.runId, ...plan } },
    );
  }
  buttons.push({
    id: 'abort_btn',
    text: UI.abort,
    type: 'danger',
    value: { action: 'abort', run: view.runId, ...plan },
    confirm: { title: UI.abortConfirmTitle, text: UI.abortConfirmText },
  });
  elements.push(buttonRow(buttons, locale));
  return card(
    {
      title: runTitle(view, d),
      subtitle: subtitle(view, d),
      template: 'yellow',
      preview: preview(view, d),
      elements,
    },
    locale,
  );
}
