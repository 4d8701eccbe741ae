import { describe, expect, it } from 'vitest';
import { describeFile, describeRecord, isEvidence } from '../../src/checks/backup-record.js';

describe('backup records and what latest may pick', () => {
  it('calls drill, corrupted, emergency, failed_migration and before_stamp dumps evidence', () => {
    for (const purpose of ['drill', 'corrupted', 'emergency', 'failed_migration', 'before_stamp']) {
      expect(isEvidence(`lark-service_${purpose}_20261128_042919.dump`)).toBe(true);
      expect(isEvidence(`lark-service_${purpose}_20261128_042919_2.dump`)).toBe(true);
    }
    expect(isEvidence('lark-service_before_downgrade_20261128_042919.dump')).toBe(false);
    expect(isEvidence('backup_before_upgrade.dump')).toBe(false);
  });

  it('lets a step that asks for an evidence purpose by prefix see its own dump', () => {
    const name = 'lark-service_failed_migration_20261128_042919.dump';
    expect(isEvidence(name, 'lark-service_failed_migration')).toBe(false);
    expect(isEvidence(name, 'lark-service')).toBe(true);
  });

  it('says the revision and rows in both languages, and when nothing was recorded', () => {
    expect(
      describeRecord({ revision: ['6fc3f28b87c8'], rows: { tokens: 2, users: 0 }, empty: false }),
    ).toEqual({
      'zh-CN': '版本 6fc3f28b87c8；行数：tokens 2、users 0',
      'en-US': 'at 6fc3f28b87c8; rows: tokens 2 and users 0',
    });
    expect(describeRecord({ revision: null, rows: {}, empty: true })['en-US']).toBe(
      'at base; empty (no tables)',
    );
    expect(describeRecord(undefined)['zh-CN']).toBe('未记录其版本和行数');
  });

  it('says the age without English units in Chinese', () => {
    const file = { path: '/x', name: 'x.dump', bytes: 2048, mtimeMs: 0 };
    expect(describeFile(file, 185_000)).toEqual({
      'zh-CN': 'x.dump，2.0 KiB，3分05秒前',
      'en-US': 'x.dump, 2.0 KiB, 3m05s old',
    });
    expect(describeFile(file, 7_800_000)['zh-CN']).toBe('x.dump，2.0 KiB，2小时10分前');
  });
});
