import { describe, expect, it } from 'vitest';
import {
  buildProgressCard,
  buildSummaryCard,
  stepFinishedMessage,
  stepStartedMessage,
  summaryMessage,
} from '../../cards/index.js';
import type { StepView } from '../../cards/model.js';
import { cancelled, failed, running, SHANGHAI_EN, SHANGHAI_ZH, stepAt, succeeded } from './fixtures.js';

/** Issue 9: skipped is not succeeded, results reach the chat, no "within budget" on a failed run, re-runs explained. */
const text = (m: { content: Record<string, unknown> }) => m.content.text as string;
const zhOf = (card: unknown) =>
  JSON.stringify(card)
    .match(/"zh_cn":"[^"]*"/g)
    ?.join('\n') ?? '';
const enOf = (card: unknown) =>
  JSON.stringify(card)
    .match(/"en_us":"[^"]*"/g)
    ?.join('\n') ?? '';

const REASON = {
  'zh-CN': 'restore=no，无需执行（仅在 restore=yes 时执行）',
  'en-US': 'restore=no, not needed (runs only when restore=yes)',
};

/** A step skipped by its condition: never started, finished at once, with the reason as its result. */
function skippedStep(i: number): StepView {
  const { startedAt, exitCode, ...rest } = stepAt(i, 'succeeded');
  return { ...rest, state: 'skipped', result: REASON };
}

describe('a skipped step', () => {
  it('the thread says ⏭ skipped and why, in both languages', () => {
    const step = skippedStep(3);
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_EN))).toBe(
      '⏭ 10:32:00 · T+00:07 · Verify the database state — skipped: restore=no, not needed (runs only when restore=yes)',
    );
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_ZH))).toBe(
      '⏭ 10:32:00 · T+00:07 · 验证数据库状态 — 已跳过：restore=no，无需执行（仅在 restore=yes 时执行）',
    );
  });

  it('the progress card and the summary show ⏭ with the reason, never ✅', () => {
    const steps = [stepAt(0, 'succeeded'), stepAt(1, 'succeeded'), stepAt(2, 'succeeded'), skippedStep(3)];
    const progress = buildProgressCard(running({ steps }), SHANGHAI_EN);
    expect(enOf(progress)).toContain(
      '⏭ 4. Verify the database state — skipped · restore=no, not needed &#40;runs only when restore=yes&#41;',
    );
    expect(zhOf(progress)).toContain(
      '⏭ 4. 验证数据库状态 — 已跳过 · restore=no，无需执行（仅在 restore=yes 时执行）',
    );
    const summary = buildSummaryCard(succeeded({ steps }), SHANGHAI_EN);
    expect(enOf(summary)).toContain('⏭ 4. Verify the database state — skipped · restore=no');
    expect(enOf(summary)).not.toMatch(/✅ 4\./);
  });
});

describe('what a step said', () => {
  const said = (i: number, en: string, zh = en): StepView => ({
    ...stepAt(i, 'succeeded'),
    result: { 'zh-CN': zh, 'en-US': en },
  });

  it('follows its end reply in the thread', () => {
    const step = said(1, 'backup: /srv/backups/x_emergency_20240601_103155.dump (1.2 MiB)');
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_EN)).split('\n')).toEqual([
      '✅ 10:31:56 · T+00:03 · Back up the database — succeeded in 1.5s',
      'backup: /srv/backups/x_emergency_20240601_103155.dump (1.2 MiB)',
    ]);
    const zh = said(3, 'matches revision base', '与版本 base 一致');
    expect(text(stepFinishedMessage(running(), zh, SHANGHAI_ZH))).toMatch(
      /— 成功，用时 1\.5秒\n与版本 base 一致$/,
    );
  });

  it('is defused in the thread (no mentions, no links)', () => {
    const step = said(1, '<at user_id="all"></at> [x](http://evil)');
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_EN))).not.toContain('<at user_id="all">');
  });

  it('shows under its step on the summary card, escaped; not on the progress card', () => {
    const steps = succeeded().steps.map((s, i) => (i === 3 ? said(3, 'tokens: **2** row(s)') : s));
    const summary = enOf(buildSummaryCard(succeeded({ steps }), SHANGHAI_EN));
    expect(summary).toContain('✅ 4. Verify the database state — succeeded');
    expect(summary).toContain('\\n↳ tokens&#58; &#42;&#42;2&#42;&#42; row&#40;s&#41;\\n✅ 5.');
    expect(enOf(buildProgressCard(running({ steps }), SHANGHAI_EN))).not.toContain('↳');
  });
});

describe('total time against the RTO', () => {
  it('a failed or cancelled run in time is not "within budget"', () => {
    expect(enOf(buildSummaryCard(failed(), SHANGHAI_EN))).toContain('**Total time:** 8.2s (RTO 15m 00s)');
    expect(zhOf(buildSummaryCard(failed(), SHANGHAI_EN))).toContain('**总用时**：8.2秒（RTO 15分00秒）');
    for (const view of [failed(), cancelled()]) {
      expect(JSON.stringify(buildSummaryCard(view, SHANGHAI_EN))).not.toMatch(/within budget|在预算内/);
      expect(text(summaryMessage(view, SHANGHAI_EN))).not.toContain('within budget');
    }
    expect(text(summaryMessage(failed(), SHANGHAI_EN))).toContain('Total time 8.2s (RTO 15m 00s)');
  });

  it('a succeeded run in time is; any run over budget says so', () => {
    expect(text(summaryMessage(succeeded(), SHANGHAI_EN))).toContain('✅ within budget');
    expect(text(summaryMessage(failed({ rtoSeconds: 5 }), SHANGHAI_EN))).toContain('⚠️ over budget by 3.2s');
  });
});

describe('step titles that carry their own number', () => {
  it('are not numbered twice', () => {
    const steps = succeeded().steps.map((s, i) =>
      i === 2 ? { ...s, title: { 'zh-CN': '2. 执行数据库升级', 'en-US': '2. alembic upgrade head' } } : s,
    );
    const summary = buildSummaryCard(succeeded({ steps }), SHANGHAI_EN);
    expect(enOf(summary)).toContain('✅ 3. alembic upgrade head — succeeded');
    expect(zhOf(summary)).toContain('✅ 3. 执行数据库升级 — 成功');
    const range = {
      ...stepAt(0, 'running'),
      title: { 'zh-CN': '3–4. 重新标记', 'en-US': '3–4. alembic stamp base' },
    };
    expect(text(stepStartedMessage(running(), range, SHANGHAI_EN))).toMatch(
      /· alembic stamp base — started$/,
    );
  });
});

describe('a re-run after a lost worker', () => {
  it('says the previous attempt was interrupted, when, and that it is safe, before the new started line', () => {
    const step = { ...stepAt(1, 'running'), interruptedAt: '2024-06-01T02:32:30.000Z' };
    expect(text(stepStartedMessage(running(), step, SHANGHAI_EN)).split('\n')).toEqual([
      '⚠ The previous attempt was interrupted: its worker was lost at 10:32:30 (T+00:37). The step is idempotent, so it is safe to run it again.',
      '▶ 10:31:55 · T+00:02 · Back up the database — started',
    ]);
    expect(text(stepStartedMessage(running(), step, SHANGHAI_ZH))).toMatch(
      /^⚠ 上一次执行于 10:32:30（T\+00:37）被中断：执行它的工作进程已失联。该步骤是幂等的，可以安全地重新执行。\n▶ /,
    );
    expect(text(stepStartedMessage(running(), stepAt(1, 'running'), SHANGHAI_EN))).not.toContain(
      'interrupted',
    );
  });
});

describe('a cancel that came before a step began', () => {
  it('says the step was not run, while a step the cancel stopped stays "cancelled"', () => {
    const { startedAt, finishedAt, exitCode, ...neverStarted } = stepAt(2, 'cancelled');
    const view = cancelled({ steps: [stepAt(0, 'succeeded'), stepAt(1, 'cancelled'), neverStarted] });
    const card = buildSummaryCard(view, SHANGHAI_EN);
    expect(enOf(card)).toMatch(/2\. [^"]* — cancelled · /);
    expect(enOf(card)).toMatch(/3\. [^"]* — not run \(cancelled\)/);
    expect(zhOf(card)).toMatch(/3\. [^"]* — 未执行（已取消）/);
  });
});
