import { describe, expect, it } from 'vitest';
import { timelineCsv, timelineMarkdown, timelineRows } from '../../src/runs/timeline.js';
import { failed, stepAt, succeeded } from '../cards/fixtures.js';

/** The export agrees with the cards (issue 9): results and skip reasons, re-runs, and the RTO verdict. */
const UTC = { timezone: 'UTC' };

describe('the exported timeline', () => {
  it('carries what each step said, and why a step was skipped', () => {
    const steps = succeeded().steps.map((s, i) =>
      i === 1
        ? { ...s, result: { 'zh-CN': '备份 x.dump（1.2 MiB）', 'en-US': 'backup x.dump (1.2 MiB)' } }
        : i === 3
          ? {
              ...s,
              state: 'skipped' as const,
              result: { 'zh-CN': 'restore=no，无需执行', 'en-US': 'restore=no, not needed' },
            }
          : s,
    );
    const rows = timelineRows(succeeded({ steps }), UTC);
    expect(rows.find((r) => r.event === 'step_succeeded' && r.step === 'backup')?.detail).toBe(
      'backup x.dump (1.2 MiB)',
    );
    expect(rows.find((r) => r.step === 'verify' && r.event === 'step_skipped')?.detail).toBe(
      'restore=no, not needed',
    );
    expect(timelineCsv(succeeded({ steps }), UTC)).toContain(',step_skipped,verify,');
  });

  it('records a re-run after a lost worker before the new start', () => {
    const view = succeeded();
    const work = { ...view.steps[1], ...stepAt(1, 'succeeded'), interruptedAt: '2024-06-01T02:31:54.500Z' };
    const rows = timelineRows({ ...view, steps: view.steps.map((s, i) => (i === 1 ? work : s)) }, UTC);
    const lost = rows.findIndex((r) => r.event === 'step_interrupted');
    expect(rows[lost]).toMatchObject({ step: 'backup', detail: 'worker lost; re-run (idempotent)' });
    expect(rows[lost + 1]).toMatchObject({ event: 'step_started', step: 'backup' });
  });

  it('says within budget only for a succeeded run', () => {
    expect(timelineMarkdown(succeeded(), UTC)).toContain('against an RTO of 900 s: within budget');
    expect(timelineMarkdown(failed(), UTC)).toMatch(/- Total 8\.2 s against an RTO of 900 s\n/);
    expect(timelineMarkdown(failed({ rtoSeconds: 5 }), UTC)).toContain('against an RTO of 5 s: OVER budget');
  });
});
