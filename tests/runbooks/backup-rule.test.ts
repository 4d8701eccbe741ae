import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/runbooks/index.js';
import { problemsOf, SHIPPED_TARGETS, tempDir } from './helpers.js';

const head = 'id: x\ntitle: { zh-CN: 回滚, en-US: Rollback }\n';
const downgrade = '  - id: downgrade\n    run: [alembic, downgrade, "-1"]\n';
const backup =
  '  - id: backup\n    run: ["{{bot.check}}", backup-create, --dir, /tmp, --prefix, x]\n    idempotent: true\n';

describe('the seed\'s "always back up first" as a validator rule', () => {
  it('rejects a downgrade with no backup before it, naming the step', () => {
    expect(
      problemsOf({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': `${head}steps:\n${downgrade}${backup}` }),
    ).toEqual([
      'runbooks/x.yaml: steps[0].run (line 5): downgrades with no backup step before it (a step running `{{bot.check}} backup-create` or pg_dump); add one, or say why with `backup: { skipped: "<reason>" }`',
    ]);
  });

  it('accepts a backup first, or a stated reason, which the runbook carries to the card', () => {
    const env = { LARK_SERVICE_DATABASE_URL: 'postgres://x@y/z' };
    const withBackup = tempDir({
      'targets.yaml': SHIPPED_TARGETS,
      'x.yaml': `${head}steps:\n${backup}${downgrade}`,
    });
    expect(loadCatalog({ dir: withBackup, env }).runbooks.get('x')?.backupSkipped).toBeUndefined();
    const skipped = `${head}backup: { skipped: "the table is rebuilt from Lark's API" }\nsteps:\n${downgrade}`;
    const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, 'x.yaml': skipped });
    expect(loadCatalog({ dir, env }).runbooks.get('x')?.backupSkipped).toBe(
      "the table is rebuilt from Lark's API",
    );
  });
});
