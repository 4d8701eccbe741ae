import {
  elapsedBetween,
  formatDateTimeZoned,
  formatElapsed,
  isoInZone,
  parseInstant,
} from '../../cards/format.js';
import type { RunView } from '../../cards/model.js';

/**
 * The post-mortem record of a run as Markdown, JSON or CSV. Pure. Every instant is written in the configured
 * zone with its offset (`2026-11-28T10:32:05.123+08:00`; Markdown `2026-11-28 10:32:05 +08:00`), and every
 * event after the run started carries `T+mm:ss`, computed as the cards and thread compute it.
 */

export interface TimelineRow {
  /** ISO-8601 instant in the zone, with its offset. */
  at: string;
  /** `T+mm:ss` since the run started (as in the thread); null before the run started. */
  t: string | null;
  event: string;
  step?: string;
  durationMs?: number;
  exitCode?: number | null;
  detail?: string;
}

export interface TimelineOptions {
  /** IANA zone, e.g. Asia/Shanghai (TIMEZONE). */
  timezone: string;
}

const ms = (a?: string, b?: string): number | undefined =>
  a && b ? Date.parse(b) - Date.parse(a) : undefined;

/** `T+mm:ss` exactly as the thread shows it, or null for an instant before the run started. */
export function elapsedMark(view: RunView, iso: string | undefined): string | null {
  const elapsed = elapsedBetween(view.startedAt, iso);
  return elapsed === undefined || elapsed < 0 ? null : formatElapsed(elapsed);
}

export function timelineRows(view: RunView, opts: TimelineOptions): TimelineRow[] {
  const raw: Array<Omit<TimelineRow, 't'>> = [
    { at: view.createdAt, event: 'requested', detail: view.requesterOpenId },
  ];
  for (const a of view.approvals)
    raw.push({ at: a.at, event: a.decision === 'approve' ? 'approved' : 'rejected', detail: a.openId });
  for (const step of view.steps) {
    // A re-run after a lost worker: the first attempt's end is when that worker was declared lost.
    if (step.interruptedAt)
      raw.push({
        at: step.interruptedAt,
        event: 'step_interrupted',
        step: step.id,
        detail: 'worker lost; re-run (idempotent)',
      });
    if (step.startedAt) raw.push({ at: step.startedAt, event: 'step_started', step: step.id });
    if (step.finishedAt) {
      const row: Omit<TimelineRow, 't'> = { at: step.finishedAt, event: `step_${step.state}`, step: step.id };
      // What the step said (a check's result), or why it was skipped.
      if (step.result) row.detail = step.result['en-US'];
      const duration = ms(step.startedAt, step.finishedAt);
      if (duration !== undefined) row.durationMs = duration;
      if (step.exitCode !== undefined) row.exitCode = step.exitCode;
      raw.push(row);
    }
  }
  if (view.finishedAt)
    raw.push({
      at: view.finishedAt,
      event: `run_${view.state}`,
      ...(view.reason ? { detail: view.reason } : {}),
    });
  const instant = (iso: string) => parseInstant(iso) ?? 0;
  return raw
    .sort((a, b) => instant(a.at) - instant(b.at))
    .map((row) => ({ ...row, at: isoInZone(row.at, opts.timezone), t: elapsedMark(view, row.at) }));
}

function totals(view: RunView) {
  const total = ms(view.startedAt, view.finishedAt);
  // Only a run that reached its goal can be within its RTO (a failed or cancelled run never is).
  const withinRto =
    total !== undefined && view.rtoSeconds !== undefined
      ? view.state === 'succeeded' && total <= view.rtoSeconds * 1000
      : undefined;
  return { totalMs: total, rtoSeconds: view.rtoSeconds, withinRto };
}

/** The view with every instant in the zone (`…+08:00`, not `…Z`). */
function zonedView(view: RunView, timezone: string) {
  const z = (iso: string | undefined) => (iso === undefined ? undefined : isoInZone(iso, timezone));
  const { steps, ...run } = view;
  return {
    run: {
      ...run,
      createdAt: z(run.createdAt),
      ...(run.expiresAt ? { expiresAt: z(run.expiresAt) } : {}),
      ...(run.startedAt ? { startedAt: z(run.startedAt) } : {}),
      ...(run.finishedAt ? { finishedAt: z(run.finishedAt) } : {}),
      approvals: run.approvals.map((a) => ({ ...a, at: z(a.at) })),
    },
    steps: steps.map((s) => ({
      ...s,
      ...(s.startedAt ? { startedAt: z(s.startedAt), t: elapsedMark(view, s.startedAt) } : {}),
      ...(s.finishedAt ? { finishedAt: z(s.finishedAt) } : {}),
    })),
  };
}

export function timelineJson(view: RunView, opts: TimelineOptions): string {
  const { run, steps } = zonedView(view, opts.timezone);
  return JSON.stringify(
    { timezone: opts.timezone, run, steps, summary: totals(view), timeline: timelineRows(view, opts) },
    null,
    2,
  );
}

const csvCell = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  // Leading = + - @ would be formulas in a spreadsheet: prefix them so the export is inert.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function timelineCsv(view: RunView, opts: TimelineOptions): string {
  const lines = ['run_id,at,t,event,step,duration_ms,exit_code,detail'];
  for (const row of timelineRows(view, opts)) {
    lines.push(
      [view.runId, row.at, row.t, row.event, row.step, row.durationMs, row.exitCode, row.detail]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Only a run that reached its goal is "within budget"; over budget is said whatever the outcome. */
const budget = (state: RunView['state'], within: boolean | undefined): string =>
  within === false ? ': OVER budget' : state === 'succeeded' ? ': within budget' : '';

export function timelineMarkdown(view: RunView, opts: TimelineOptions): string {
  const { totalMs, rtoSeconds } = totals(view);
  const when = (iso: string) => formatDateTimeZoned(iso, opts.timezone);
  const lines = [
    `# Rollback ${view.runId}: ${view.title['en-US']} / ${view.title['zh-CN']}`,
    '',
    `- Runbook: ${view.runbookId}; target: ${view.targetId}; outcome: ${view.state}`,
    `- Parameters: ${
      Object.entries(view.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '(none)'
    }`,
    `- Requested by ${view.requesterOpenId} at ${when(view.createdAt)}`,
    ...view.approvals.map(
      (a) => `- ${a.decision === 'approve' ? 'Approved' : 'Rejected'} by ${a.openId} at ${when(a.at)}`,
    ),
    ...(view.startedAt ? [`- Started at ${when(view.startedAt)} (T+00:00)`] : []),
    totalMs !== undefined
      ? `- Total ${(totalMs / 1000).toFixed(1)} s${rtoSeconds !== undefined ? ` against an RTO of ${rtoSeconds} s${budget(view.state, totalMs <= rtoSeconds * 1000)}` : ''}`
      : '- Not finished',
    '',
    '| # | step | started | T+ | duration | result | exit |',
    '|---|------|---------|----|----------|--------|------|',
    ...view.steps.map((s) => {
      const d = ms(s.startedAt, s.finishedAt);
      const started = s.startedAt ? when(s.startedAt) : '';
      return `| ${s.idx + 1} | ${s.id} | ${started} | ${elapsedMark(view, s.startedAt) ?? ''} | ${d !== undefined ? `${(d / 1000).toFixed(1)} s` : ''} | ${s.state} | ${s.exitCode ?? ''} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
