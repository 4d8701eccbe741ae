import { escapeMarkdown } from './escape.js';
import { elapsedBetween, formatClock, formatDuration, formatElapsed } from './format.js';
import { fill, pick, STEP_STATE, UI } from './i18n.js';
import type { Detail } from './limits.js';
import type { Locale, RenderOptions, RunView, StepState, StepView } from './model.js';
import { md } from './view-parts.js';

export const STEP_ICON: Record<StepState, string> = {
  pending: '⏳',
  running: '▶',
  succeeded: '✅',
  failed: '❌',
  timed_out: '⏱',
  skipped: '⏭',
  interrupted: '⚠',
  cancelled: '⛔',
};

const FOCUS: ReadonlySet<StepState> = new Set(['running', 'interrupted', 'failed', 'timed_out', 'cancelled']);

export interface NumberedStep {
  /** 1-based position in the run, used for display (callback values use `step.idx`). */
  n: number;
  step: StepView;
}

/**
 * At most `max` steps, in a window around the step that matters (the running, interrupted or failed one,
 * else the first pending), with how many were left out before and after.
 */
export function windowSteps(
  steps: readonly StepView[],
  max: number,
): {
  shown: NumberedStep[];
  before: number;
  after: number;
} {
  const numbered = steps.map((step, i) => ({ n: i + 1, step }));
  if (numbered.length <= max) return { shown: numbered, before: 0, after: 0 };
  let focus = steps.findIndex((s) => FOCUS.has(s.state));
  if (focus < 0)
    focus = Math.max(
      0,
      steps.findIndex((s) => s.state === 'pending'),
    );
  const start = Math.min(Math.max(0, focus - Math.floor(max / 2)), numbered.length - max);
  return { shown: numbered.slice(start, start + max), before: start, after: numbered.length - start - max };
}

/** A runbook title's own leading number (`2. `, `1–2. `), which the card's numbering would double. */
const OWN_NUMBER = /^\d+(?:\s*[–-]\s*\d+)?\.\s+(?=\S)/;

export function stepTitle(step: StepView, l: Locale): string {
  const title = pick(step.title, l);
  return title.replace(OWN_NUMBER, '') || title || step.id;
}

/** What a step said, on one line (its result lines joined), or undefined. */
export function resultText(step: StepView, l: Locale): string | undefined {
  const text = pick(step.result, l)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' · ');
  return text === '' ? undefined : text;
}

export function exitCodeText(step: StepView, l: Locale): string | undefined {
  if (step.state !== 'failed' && step.state !== 'timed_out') return undefined;
  if (typeof step.exitCode === 'number') return pick(fill(UI.exitCode, { code: String(step.exitCode) }), l);
  return step.state === 'failed' ? pick(UI.noExitCode, l) : undefined;
}

/**
 * One markdown line for a step: `✅ 1. Stop the application — succeeded · 10:32:05 (T+00:00) · 2.1s`.
 * `titles` mode gives only `1. Stop the application` (the approval card's plan).
 */
export function stepLine(
  view: RunView,
  { n, step }: NumberedStep,
  opts: RenderOptions,
  detail: Detail,
  l: Locale,
  mode: 'titles' | 'status' | 'results',
): string {
  const title = `${n}. ${md(stepTitle(step, l), detail)}`;
  if (mode === 'titles') return title;
  const said = resultText(step, l);
  // A step the cancel reached before it began never ran: say that, not a bare "cancelled" that reads as stopped.
  const state =
    step.state === 'cancelled' && step.startedAt === undefined
      ? pick(UI.cancelledNotRun, l)
      : pick(STEP_STATE[step.state], l) || escapeMarkdown(String(step.state));
  const parts = [`${STEP_ICON[step.state] ?? '•'} ${title} — ${state}`];
  if (step.startedAt !== undefined) {
    const offset = elapsedBetween(view.startedAt, step.startedAt);
    const clock = formatClock(step.startedAt, opts.timezone);
    parts.push(offset === undefined ? clock : `${clock} (${formatElapsed(offset)})`);
  }
  const took = elapsedBetween(step.startedAt, step.finishedAt);
  if (took !== undefined && step.state !== 'running') parts.push(formatDuration(took, l));
  const exit = exitCodeText(step, l);
  if (exit) parts.push(exit);
  // Why a step was skipped is always said; what a finished step said, on the summary (`results`).
  if (said && step.state === 'skipped') parts.push(md(said, detail));
  const line = parts.join(' · ');
  return said && mode === 'results' && step.state === 'succeeded' ? `${line}\n↳ ${md(said, detail)}` : line;
}

/** The step list as markdown lines, windowed to `detail.maxSteps`. */
export function stepLines(
  view: RunView,
  opts: RenderOptions,
  detail: Detail,
  l: Locale,
  mode: 'titles' | 'status' | 'results',
): string[] {
  const { shown, before, after } = windowSteps(view.steps, detail.maxSteps);
  const more = (k: number) => pick(fill(UI.moreSteps, { n: String(k) }), l);
  const lines = shown.map((s) => stepLine(view, s, opts, detail, l, mode));
  if (before > 0) lines.unshift(more(before));
  if (after > 0) lines.push(more(after));
  return lines;
}
