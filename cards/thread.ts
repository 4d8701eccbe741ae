import { comparisonLine } from './durations-block.js';
import type { LarkCard } from './elements.js';
import { isOpenId, neutralizeText } from './escape.js';
import { elapsedBetween, formatClock, formatDuration, formatElapsed } from './format.js';
import { fill, pick, RUN_STATE, STEP_STATE, UI } from './i18n.js';
import { LIMITS, tailOutput, truncateText } from './limits.js';
import type { Locale, RenderOptions, RunView, StepView } from './model.js';
import { exitCodeText, resultText, STEP_ICON, stepTitle } from './step-lines.js';
import { outcomeIcon, totalMs, totalVsRto } from './summary-card.js';

/**
 * Replies in the card's thread, as Lark messages. `content` is an object here; the delivery layer turns it
 * into the JSON string the API wants (`{"text":"…"}` for text, the card JSON for interactive).
 * Text messages understand `<at user_id=…>` and `[label](url)`, so all model text is neutralised.
 */
export type LarkMessage = {
  msgType: 'text' | 'interactive';
  content: Record<string, unknown>;
};

/** Every part is bounded by its builder, so the whole is never cut (the export hint's run id stays whole). */
function textMessage(text: string): LarkMessage {
  return { msgType: 'text', content: { text } };
}

/** Model text for a text message: clipped and neutralised. */
function safe(text: string): string {
  return neutralizeText(truncateText(text, LIMITS.threadTextChars));
}

/** `10:32:05 · T+00:12` for an instant of the run. */
function when(view: RunView, iso: string | undefined, opts: RenderOptions): string {
  const clock = iso === undefined ? '--:--:--' : formatClock(iso, opts.timezone);
  return `${clock} · ${formatElapsed(elapsedBetween(view.startedAt, iso) ?? Number.NaN)}`;
}

/** `▶ 10:32:05 · T+00:12 · Stop the application — started` */
export function stepStartedMessage(view: RunView, step: StepView, opts: RenderOptions): LarkMessage {
  const l = opts.locale;
  const started = `${STEP_ICON.running} ${when(view, step.startedAt, opts)} · ${safe(stepTitle(step, l))} — ${pick(UI.started, l)}`;
  if (step.interruptedAt === undefined) return textMessage(started);
  // A re-run after a lost worker: say why the step starts a second time, before its new "started" line.
  const time = formatClock(step.interruptedAt, opts.timezone);
  const elapsed = formatElapsed(elapsedBetween(view.startedAt, step.interruptedAt) ?? Number.NaN);
  return textMessage(`${pick(fill(UI.rerunAfterLoss, { time, elapsed }), l)}\n${started}`);
}

function finishedOutcome(step: StepView, l: Locale): string {
  const took = elapsedBetween(step.startedAt, step.finishedAt);
  switch (step.state) {
    case 'succeeded':
      return pick(fill(UI.succeededIn, { d: formatDuration(took ?? Number.NaN, l) }), l);
    case 'failed':
      return typeof step.exitCode === 'number'
        ? pick(fill(UI.failedExit, { code: String(step.exitCode) }), l)
        : pick(UI.failedNoExit, l);
    case 'timed_out': {
      const limit = step.timeoutSeconds !== undefined ? step.timeoutSeconds * 1000 : (took ?? Number.NaN);
      const text = pick(fill(UI.timedOutAfter, { d: formatDuration(limit, l) }), l);
      return typeof step.exitCode === 'number' ? `${text} · ${exitCodeText(step, l)}` : text;
    }
    case 'skipped': {
      const why = resultText(step, l);
      return why ? pick(fill(UI.skippedBecause, { why: safe(why) }), l) : pick(STEP_STATE.skipped, l);
    }
    default:
      return pick(STEP_STATE[step.state], l) || String(step.state);
  }
}

/**
 * `✅ 10:32:07 · T+00:14 · Stop the application — succeeded in 2.1s`, or for a failure
 * `❌ … — failed, exit code 3` followed by the last lines of its output.
 */
export function stepFinishedMessage(view: RunView, step: StepView, opts: RenderOptions): LarkMessage {
  const l = opts.locale;
  const icon = STEP_ICON[step.state] ?? '•';
  const at = step.finishedAt ?? step.startedAt;
  let text = `${icon} ${when(view, at, opts)} · ${safe(stepTitle(step, l))} — ${finishedOutcome(step, l)}`;
  if ((step.state === 'failed' || step.state === 'timed_out') && step.outputTail) {
    const tail = tailOutput(step.outputTail, LIMITS.threadTailLines, LIMITS.threadTailBytes);
    if (tail.lines > 0) {
      text += `\n${pick(fill(UI.outputTail, { n: String(tail.lines) }), l)}\n${neutralizeText(tail.text)}`;
    }
  }
  // What a succeeded step said (a check's result, or the command's last line), already bounded at the source.
  const said = step.state === 'succeeded' ? pick(step.result, l).trim() : '';
  if (said) text += `\n${safe(said)}`;
  return textMessage(text);
}

/** The run's summary as a reply: outcome, total time against the RTO, reason, export hint. */
export function summaryMessage(view: RunView, opts: RenderOptions): LarkMessage {
  const l = opts.locale;
  const failedIdx = view.steps.findIndex((s) => s.state === 'failed' || s.state === 'timed_out');
  const failed = view.steps[failedIdx];
  let first = pick(
    fill(UI.summaryLine, {
      icon: outcomeIcon(view.state),
      state: pick(RUN_STATE[view.state], l),
      title: safe(pick(view.title, l) || view.runbookId),
      target: safe(view.targetId),
    }),
    l,
  );
  if (failed) {
    const exit = exitCodeText(failed, l);
    first += ` — ${failedIdx + 1}. ${safe(stepTitle(failed, l))}${exit ? ` · ${exit}` : ''}`;
  }
  const lines = [first, pick(fill(UI.summaryTotal, { v: totalVsRto(view, l) }), l)];
  const compared = comparisonLine(view, totalMs(view), l);
  if (compared) lines.push(compared);
  if (view.reason) lines.push(pick(fill(UI.summaryReason, { v: safe(view.reason) }), l));
  // The run id is whole: it is what the export commands take.
  lines.push(pick(fill(UI.summaryExport, { id: neutralizeText(view.runId) }), l));
  // The requester is mentioned (notified) when the run ends: they asked, they want to know.
  if (isOpenId(view.requesterOpenId)) {
    lines.push(pick(fill(UI.summaryRequester, { who: `<at user_id="${view.requesterOpenId}"></at>` }), l));
  }
  return textMessage(lines.join('\n'));
}

/** Any other plain reply (help, refusals, errors); neutralised, since it often quotes user input. */
export function noticeMessage(text: string): LarkMessage {
  return textMessage(neutralizeText(truncateText(text, LIMITS.textMessageChars)));
}

/** A card as a message (`msg_type: interactive`). */
export function cardMessage(card: LarkCard): LarkMessage {
  return { msgType: 'interactive', content: card };
}
