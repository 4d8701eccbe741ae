import { describe, expect, it } from 'vitest';
import { formatDateTimeZoned, formatOffset, isoInZone } from '../../cards/format.js';
import type { RunView } from '../../cards/model.js';
import { statusText } from '../../src/commands/replies.js';
import { timelineCsv, timelineJson, timelineMarkdown, timelineRows } from '../../src/runs/timeline.js';

const view: RunView = {
  runId: 'r1a2b3c4d5e',
  runbookId: 'emergency',
  title: { 'zh-CN': '生产环境紧急回滚', 'en-US': 'Production emergency rollback' },
  targetId: 'lark-service',
  params: { revision: '-1' },
  state: 'failed',
  requesterOpenId: 'ou_oncall',
  approvals: [{ openId: 'ou_lead', decision: 'approve', at: '2026-11-28T02:31:50.000Z' }],
  quorum: 1,
  fourEyes: true,
  planHash: 'abc',
  createdAt: '2026-11-28T02:31:40.000Z',
  startedAt: '2026-11-28T02:32:00.000Z',
  finishedAt: '2026-11-28T02:32:32.500Z',
  rtoSeconds: 900,
  steps: [
    {
      idx: 0,
      id: 'stop-app',
      title: { 'zh-CN': '停止应用', 'en-US': 'Stop the application' },
      state: 'succeeded',
      idempotent: true,
      startedAt: '2026-11-28T02:32:00.400Z',
      finishedAt: '2026-11-28T02:32:12.999Z',
      exitCode: 0,
    },
    {
      idx: 1,
      id: 'downgrade',
      title: { 'zh-CN': '回滚', 'en-US': 'Downgrade' },
      state: 'failed',
      idempotent: false,
      startedAt: '2026-11-28T02:32:13.000Z',
      finishedAt: '2026-11-28T02:32:32.400Z',
      exitCode: 1,
    },
  ],
};

describe('times with their zone', () => {
  it('writes the offset, half-hour and negative zones and daylight saving included', () => {
    expect(formatDateTimeZoned('2026-11-28T02:32:05Z', 'Asia/Shanghai')).toBe('2026-11-28 10:32:05 +08:00');
    expect(formatDateTimeZoned('2026-11-28T02:32:05Z', 'Asia/Kolkata')).toBe('2026-11-28 08:02:05 +05:30');
    expect(formatDateTimeZoned('2026-07-01T12:00:00Z', 'America/New_York')).toBe(
      '2026-07-01 08:00:00 -04:00',
    );
    expect(formatDateTimeZoned('2026-12-01T12:00:00Z', 'America/New_York')).toBe(
      '2026-12-01 07:00:00 -05:00',
    );
    expect(formatOffset(Date.parse('2026-11-28T00:00:00Z'), 'UTC')).toBe('+00:00');
    expect(isoInZone('2026-11-28T02:32:05.123Z', 'Asia/Shanghai')).toBe('2026-11-28T10:32:05.123+08:00');
    expect(Date.parse(isoInZone('2026-11-28T02:32:05.123Z', 'America/New_York'))).toBe(
      Date.parse('2026-11-28T02:32:05.123Z'),
    );
    expect(formatDateTimeZoned('not a date', 'Asia/Shanghai')).toBe('---------- --:--:-- +--:--');
  });
});

describe('the export timeline', () => {
  const opts = { timezone: 'Asia/Shanghai' };

  it('gives each event its zoned instant and, from the start on, T+ with the thread rounding', () => {
    const rows = timelineRows(view, opts);
    expect(rows.map((r) => [r.at, r.t, r.event])).toEqual([
      ['2026-11-28T10:31:40.000+08:00', null, 'requested'],
      ['2026-11-28T10:31:50.000+08:00', null, 'approved'],
      ['2026-11-28T10:32:00.400+08:00', 'T+00:00', 'step_started'],
      // 12.999 s is T+00:12, as formatElapsed floors it in the thread.
      ['2026-11-28T10:32:12.999+08:00', 'T+00:12', 'step_succeeded'],
      ['2026-11-28T10:32:13.000+08:00', 'T+00:13', 'step_started'],
      ['2026-11-28T10:32:32.400+08:00', 'T+00:32', 'step_failed'],
      ['2026-11-28T10:32:32.500+08:00', 'T+00:32', 'run_failed'],
    ]);
  });

  it('never calls a failed run within its RTO, and writes no …Z instant', () => {
    const json = JSON.parse(timelineJson(view, opts));
    expect(json.summary).toEqual({ totalMs: 32_500, rtoSeconds: 900, withinRto: false });
    expect(json.run.createdAt).toBe('2026-11-28T10:31:40.000+08:00');
    expect(json.steps[1].t).toBe('T+00:13');
    expect(JSON.stringify(json)).not.toMatch(/\dZ"/);
    const md = timelineMarkdown(view, opts);
    expect(md).toMatch(/against an RTO of 900 s\n/);
    expect(md).toContain('| 2 | downgrade | 2026-11-28 10:32:13 +08:00 | T+00:13 | 19.4 s | failed | 1 |');
    expect(timelineCsv(view, opts).split('\n')[3]).toBe(
      'r1a2b3c4d5e,2026-11-28T10:32:00.400+08:00,T+00:00,step_started,stop-app,,,',
    );
  });
});

describe('status', () => {
  it('names states for people and writes times in the zone', () => {
    const text = statusText(
      [
        {
          id: 'r1a2b3c4d5e',
          runbook: 'emergency',
          target: 'lark-service',
          state: 'awaiting_approval',
          createdAt: '2026-11-28T02:31:40.000Z',
        },
      ],
      'Asia/Shanghai',
    );
    expect(text['en-US']).toBe(
      'Runs in this chat:\n  r1a2b3c4d5e  emergency → lark-service  Awaiting approval  2026-11-28 10:31:40 +08:00',
    );
    expect(text['zh-CN']).toBe(
      '本群的回滚：\n  r1a2b3c4d5e  emergency → lark-service  等待审批  2026-11-28 10:31:40 +08:00',
    );
  });
});
