import type { RunView } from '../../cards/model.js';

/** The post-mortem record of a run as Markdown, JSON or CSV. Pure. */

export interface TimelineRow {
  at: string;
  event: string;
  step?: string;
  durationMs?: number;
  exitCode?: number | null;
  detail?: string;
}

const ms = (a?: string, b?: string): number | undefined =>
  a && b ? Date.parse(b) - Date.parse(a) : undefined;

export function timelineRows(view: RunView): TimelineRow[] {
  const rows: TimelineRow[] = [{ at: view.createdAt, event: 'requested', detail: view.requesterOpenId }];
  for (const a of view.approvals)
    rows.push({ at: a.at, event: a.decision === 'approve' ? 'approved' : 'rejected', detail: a.openId });
  for (const step of view.steps) {
    // A re-run after a lost worker: the first attempt's end is when that worker was declared lost.
    if (step.interruptedAt)
      rows.push({
        at: step.interruptedAt,
        event: 'step_interrupted',
        step: step.id,
        detail: 'worker lost; re-run (idempotent)',
      });
    if (step.startedAt) rows.push({ at: step.startedAt, event: 'step_started', step: step.id });
    if (step.finishedAt) {
      const row: TimelineRow = { at: step.finishedAt, event: `step_${step.state}`, step: step.id };
      // What the step said (a check's result), or why it was skipped.
      if (step.result) row.detail = step.result['en-US'];
      const duration = ms(step.startedAt, step.finishedAt);
      if (duration !== undefined) row.durationMs = duration;
      if (step.exitCode !== undefined) row.exitCode = step.exitCode;
      rows.push(row);
    }
  }
  if (view.finishedAt)
    rows.push({
      at: view.finishedAt,
      event: `run_${view.state}`,
      ...(view.reason ? { detail: view.reason } : {}),
    });
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

function totals(view: RunView) {
  const total = ms(view.startedAt, view.finishedAt);
  const withinRto =
    total !== undefined && view.rtoSeconds !== undefined ? total <= view.rtoSeconds * 1000 : undefined;
  return { totalMs: total, rtoSeconds: view.rtoSeconds, withinRto };
}

export function timelineJson(view: RunView): string {
  const { steps, ...run } = view;
  return JSON.stringify({ run, steps, summary: totals(view), timeline: timelineRows(view) }, null, 2);
}

const csvCell = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  // Leading = + - @ would be formulas in a spreadsheet: prefix them so the export is inert.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function timelineCsv(view: RunView): string {
  const lines = ['run_id,at,event,step,duration_ms,exit_code,detail'];
  for (const row of timelineRows(view)) {
    lines.push(
      [view.runId, row.at, row.event, row.step, row.durationMs, row.exitCode, row.detail]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Only a run that reached its goal is "within budget"; over budget is said whatever the outcome. */
const budget = (state: RunView['state'], within: boolean | undefined): string =>
  within === false ? ': OVER budget' : state === 'succeeded' ? ': within budget' : '';

export function timelineMarkdown(view: RunView): string {
  const { totalMs, rtoSeconds, withinRto } = totals(view);
  const lines = [
    `# Rollback ${view.runId}: ${view.title['en-US']} / ${view.title['zh-CN']}`,
    '',
    `- Runbook: ${view.runbookId}; target: ${view.targetId}; outcome: ${view.state}`,
    `- Parameters: ${
      Object.entries(view.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '(none)'
    }`,
    `- Requested by ${view.requesterOpenId} at ${view.createdAt}`,
    ...view.approvals.map(
      (a) => `- ${a.decision === 'approve' ? 'Approved' : 'Rejected'} by ${a.openId} at ${a.at}`,
    ),
    totalMs !== undefined
      ? `- Total ${(totalMs / 1000).toFixed(1)} s${rtoSeconds !== undefined ? ` against an RTO of ${rtoSeconds} s${budget(view.state, withinRto)}` : ''}`
      : '- Not finished',
    '',
    '| # | step | started | duration | result | exit |',
    '|---|------|---------|----------|--------|------|',
    ...view.steps.map((s) => {
      const d = ms(s.startedAt, s.finishedAt);
      return `| ${s.idx + 1} | ${s.id} | ${s.startedAt ?? ''} | ${d !== undefined ? `${(d / 1000).toFixed(1)} s` : ''} | ${s.state} | ${s.exitCode ?? ''} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
