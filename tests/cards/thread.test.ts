import { describe, expect, it } from 'vitest';
import {
  buildSummaryCard,
  cardMessage,
  noticeMessage,
  stepFinishedMessage,
  stepStartedMessage,
  summaryMessage,
} from '../../cards/index.js';
import type { StepView } from '../../cards/model.js';
import {
  failed,
  REQUESTER,
  RUN_ID,
  running,
  SHANGHAI_EN,
  SHANGHAI_ZH,
  stepAt,
  succeeded,
} from './fixtures.js';

const text = (m: { content: Record<string, unknown> }) => m.content.text as string;

describe('step replies', () => {
  it('started: icon, wall clock, T+ since the run started, title, verb', () => {
    const view = running();
    const msg = stepStartedMessage(view, stepAt(2, 'running'), SHANGHAI_EN);
    expect(msg).toEqual({
      msgType: 'text',
      content: { text: '▶ 10:31:57 · T+00:04 · Downgrade the database migration — started' },
    });
    expect(text(stepStartedMessage(view, stepAt(2, 'running'), SHANGHAI_ZH))).toBe(
      '▶ 10:31:57 · T+00:04 · 回滚数据库迁移 — 开始',
    );
  });

  it('succeeded: the end time and the duration', () => {
    expect(text(stepFinishedMessage(running(), stepAt(0, 'succeeded'), SHANGHAI_EN))).toBe(
      '✅ 10:31:54 · T+00:01 · Stop the application — succeeded in 1.5s',
    );
    expect(text(stepFinishedMessage(running(), stepAt(0, 'succeeded'), SHANGHAI_ZH))).toBe(
      '✅ 10:31:54 · T+00:01 · 停止应用 — 成功，用时 1.5秒',
    );
  });

  it('failed: the exit code, then the last lines of output', () => {
    const view = failed();
    const step = view.steps[2] as StepView;
    const lines = text(stepFinishedMessage(view, step, SHANGHAI_EN)).split('\n');
    expect(lines[0]).toBe('❌ 10:32:01 · T+00:08 · Downgrade the database migration — failed, exit code 3');
    expect(lines[1]).toBe('Output (last 5 lines):');
    expect(lines.at(-1)).toBe('DETAIL:  view active_tokens depends on table tokens_v2');
  });

  it('failed without an exit code (killed by a signal)', () => {
    const step = { ...stepAt(2, 'failed'), exitCode: null };
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_EN))).toMatch(/— failed \(no exit code\)$/);
  });

  it('timed out: names the timeout', () => {
    const step = { ...stepAt(2, 'timed_out'), timeoutSeconds: 60 };
    expect(text(stepFinishedMessage(running(), step, SHANGHAI_EN))).toBe(
      '⏱ 10:32:01 · T+00:08 · Downgrade the database migration — timed out after 1m 00s, killed',
    );
  });

  it('keeps only the last 20 lines and defuses mentions in the output', () => {
    const tail = [...Array.from({ length: 30 }, (_, i) => `line ${i}`), '<at user_id="all"></at>'].join('\n');
    const step = { ...stepAt(2, 'failed'), outputTail: tail };
    const out = text(stepFinishedMessage(running(), step, SHANGHAI_EN));
    expect(out).toContain('Output (last 20 lines):');
    expect(out).not.toContain('line 10\n');
    expect(out).toContain('line 11');
    expect(out).not.toMatch(/<at/);
  });
});

describe('summary and other messages', () => {
  it('summary: outcome, total vs RTO, export hint with the whole run id', () => {
    expect(text(summaryMessage(succeeded(), SHANGHAI_EN))).toBe(
      [
        '✅ Succeeded: Production emergency rollback (target lark-service)',
        'Total time 13.5s of RTO 15m 00s: ✅ within budget',
        `Export the timeline: /rollback export ${RUN_ID} or rollback-bot export ${RUN_ID}`,
        `Requested by <at user_id="${REQUESTER}"></at>`,
      ].join('\n'),
    );
  });

  it('summary of a failure names the failed step, exit code and reason (zh-CN)', () => {
    const out = text(summaryMessage(failed(), SHANGHAI_ZH));
    expect(out.split('\n')[0]).toBe(
      '❌ 失败：生产环境紧急回滚（目标 lark-service） — 3. 回滚数据库迁移 · 退出码 3',
    );
    expect(out).toContain('原因：step downgrade failed');
    expect(out.split('\n').at(-1)).toBe(`发起人：<at user_id="${REQUESTER}"></at>`);
  });

  it('notice and card messages', () => {
    expect(noticeMessage('Unknown runbook <at user_id="all"></at>').content.text).not.toMatch(/<at/);
    const card = buildSummaryCard(succeeded(), SHANGHAI_EN);
    expect(cardMessage(card)).toEqual({ msgType: 'interactive', content: card });
  });
});
