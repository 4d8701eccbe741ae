import { describe, expect, it } from 'vitest';
import { comparisonLine, expectedLines } from '../../cards/durations-block.js';
import { buildApprovalCard, summaryMessage } from '../../cards/index.js';
import type { RunView } from '../../cards/model.js';
import { awaitingApproval, SHANGHAI_EN, SHANGHAI_ZH, succeeded } from './fixtures.js';

/** Issue 14 item 2 on the cards: expected duration, reserve against the RTO, and the summary's comparison. */

const withDurations = (view: RunView, durations: RunView['durations']): RunView =>
  durations ? { ...view, durations } : view;

describe('expected duration on the approval card', () => {
  it('shows the median, the last drill, and the 3× reserve against the RTO, in both languages', () => {
    const view = withDurations(awaitingApproval(), {
      successes: 2,
      medianMs: 4000,
      lastDrillMs: 2500,
      reserveMs: 12_000,
    });
    expect(expectedLines(view, 'en-US')).toEqual([
      '**Expected duration:** 4.0s (median of the last 2 successful runs) · last drill 2.5s',
      '**Reserve** (3× the operation time, as the rollback guide asks): 12.0s against an RTO of 15m 00s',
    ]);
    expect(expectedLines(view, 'zh-CN')).toEqual([
      '**预计用时**：4.0秒（最近 2 次成功执行的中位数）；最近一次演练 2.5秒',
      '**预留时间**（按手册预留 3 倍操作时间）：12.0秒，RTO 15分00秒',
    ]);
    const card = JSON.stringify(buildApprovalCard(view, SHANGHAI_EN));
    expect(card).toContain('Expected duration:** 4.0s');
    expect(card).toContain('预计用时**：4.0秒');
  });

  it('says plainly when nothing is recorded, never a zero', () => {
    const view = withDurations(awaitingApproval(), { successes: 0 });
    expect(expectedLines(view, 'en-US')).toEqual([
      '**Expected duration:** unknown: no successful run of this runbook on this target recorded yet',
    ]);
    expect(expectedLines(view, 'zh-CN')).toEqual([
      '**预计用时**：未知：该目标上还没有此回滚流程成功执行的记录',
    ]);
    expect(JSON.stringify(buildApprovalCard(view, SHANGHAI_ZH))).not.toMatch(/0\.0s|0\.0秒/);
  });

  it('warns when the reserve exceeds the RTO, and estimates from a drill alone', () => {
    const view = withDurations(awaitingApproval(), {
      successes: 0,
      lastDrillMs: 400_000,
      reserveMs: 1_200_000,
    });
    const [expected, reserve] = expectedLines(view, 'en-US');
    expect(expected).toBe(
      '**Expected duration:** no successful run recorded yet, so estimated from the last drill; last drill 6m 40s',
    );
    expect(reserve).toContain('20m 00s against an RTO of 15m 00s ⚠️ more than the RTO');
    expect(expectedLines(view, 'zh-CN')[1]).toContain('⚠️ 超过 RTO');
  });

  it('adds nothing for a run requested before durations were measured', () => {
    expect(expectedLines(awaitingApproval(), 'en-US')).toEqual([]);
  });
});

describe('the summary compares the run with the earlier ones', () => {
  it('gives the difference from the median', () => {
    const view = withDurations(succeeded(), { successes: 5, medianMs: 40_000, reserveMs: 120_000 });
    expect(comparisonLine(view, 42_000, 'en-US')).toBe(
      'Compared with earlier runs: took 42.0s; median of the last 5 successful runs: 40.0s (2.0s longer)',
    );
    expect(comparisonLine(view, 38_500, 'zh-CN')).toBe(
      '与以往比较：本次用时 38.5秒；最近 5 次成功执行的中位数 40.0秒（快 1.5秒）',
    );
    expect(comparisonLine(view, 40_030, 'en-US')).toContain('(about the same)');
    const text = JSON.stringify(summaryMessage(view, SHANGHAI_EN).content);
    expect(text).toContain('median of the last 5 successful runs: 40.0s');
  });

  it('says when there is nothing to compare with, and nothing for a run that never started', () => {
    const first = withDurations(succeeded(), { successes: 0 });
    expect(comparisonLine(first, 3000, 'en-US')).toBe(
      'Compared with earlier runs: took 3.0s; no earlier successful run of this runbook on this target to compare with',
    );
    const one = withDurations(succeeded(), { successes: 1, medianMs: 3000, reserveMs: 9000 });
    expect(comparisonLine(one, 3500, 'en-US')).toContain(
      'the last successful run: 3.0s (500ms longer)'.replace('500ms', '0.5s'),
    );
    expect(comparisonLine(first, undefined, 'en-US')).toBeUndefined();
  });
});
