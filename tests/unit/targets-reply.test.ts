import { describe, expect, it } from 'vitest';
import { targetsText } from '../../src/commands/targets-reply.js';

describe('/rollback targets reply', () => {
  const lines = [
    {
      id: 'payments',
      isDefault: true,
      environment: 'production',
      pool: 'payments',
      runners: ['pay-1', 'pay-2'],
      lastRun: {
        id: 'rabc1234567',
        runbook: 'emergency',
        state: 'succeeded',
        createdAt: new Date('2026-11-28T02:05:00Z'),
      },
    },
    { id: 'orders', isDefault: false, pool: 'orders', runners: [] },
    {
      id: 'legacy',
      isDefault: false,
      pool: 'default',
      runners: [],
      unavailable: 'LEGACY_DB, LEGACY_KEY are not set',
    },
  ];

  it('says per target: its pool and live runners, or why it cannot run, and its last run, in both languages', () => {
    const text = targetsText(lines, 'Asia/Shanghai');
    expect(text['en-US']).toContain('• payments (default) · production');
    expect(text['en-US']).toContain('runner pool payments: 2 up (pay-1, pay-2)');
    expect(text['en-US']).toContain(
      'last run: emergency succeeded (2026-11-28 10:05:00 +08:00, rabc1234567)',
    );
    expect(text['en-US']).toContain('runner pool orders: no runner up, so approval is withheld');
    expect(text['en-US']).toContain('unavailable: LEGACY_DB, LEGACY_KEY are not set');
    expect(text['zh-CN']).toContain('执行器池 payments：2 个在线（pay-1、pay-2）');
    expect(text['zh-CN']).toContain('不可用：LEGACY_DB, LEGACY_KEY 未设置');
    expect(text['zh-CN']).not.toMatch(/no runner|last run|unavailable/);
  });

  it('says where to go when this chat may use no target', () => {
    expect(targetsText([], 'UTC')['en-US']).toMatch(/No target may be rolled back from this chat/);
  });
});
