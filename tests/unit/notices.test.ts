import { describe, expect, it } from 'vitest';
import type { Runbook } from '../../src/runbooks/types.js';
import { inWindow, requestNotices } from '../../src/runs/notices.js';

const at = (iso: string) => Date.parse(iso);
const runbook = { backupSkipped: undefined } as unknown as Runbook;

describe('the recommended window', () => {
  it('is read in the configured time zone', () => {
    // 02:30 in Shanghai is 18:30 UTC the day before.
    expect(inWindow('02:00-04:00', 'Asia/Shanghai', at('2026-11-23T18:30:00Z'))).toBe(true);
    expect(inWindow('02:00-04:00', 'Asia/Shanghai', at('2026-11-23T20:00:00Z'))).toBe(false);
    expect(inWindow('02:00-04:00', 'UTC', at('2026-11-23T18:30:00Z'))).toBe(false);
    expect(inWindow('23:00-01:00', 'UTC', at('2026-11-23T00:30:00Z'))).toBe(true);
  });

  it('puts the seed advice and a skipped-backup reason on the card', () => {
    const window = { text: '02:00-04:00', timezone: 'Asia/Shanghai' };
    expect(requestNotices(runbook, window, at('2026-11-23T18:30:00Z'))).toEqual([]);
    const notices = requestNotices(
      { ...runbook, backupSkipped: 'rebuilt from the API' },
      window,
      at('2026-11-24T02:00:00Z'),
    );
    expect(notices.map((n) => n['en-US'])).toEqual([
      'Outside the recommended rollback window (02:00-04:00, Asia/Shanghai): allow 3× the operation time and tell the team.',
      'This runbook downgrades without a backup: rebuilt from the API',
    ]);
  });

  it('leaves the window out for a read-only runbook (no approval needed)', () => {
    const window = { text: '02:00-04:00', timezone: 'Asia/Shanghai' };
    const readOnly = { ...runbook, approval: { required: false } } as unknown as Runbook;
    expect(requestNotices(readOnly, window, at('2026-11-24T02:00:00Z'))).toEqual([]);
    expect(requestNotices(runbook, window, at('2026-11-24T02:00:00Z'))).toHaveLength(1);
  });
});
