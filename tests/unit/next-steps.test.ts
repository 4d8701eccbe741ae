import { describe, expect, it } from 'vitest';
import { buildApprovalCard, buildSummaryCard } from '../../cards/index.js';
import type { RunView, StepView } from '../../cards/model.js';
import { factsOf, lastRevisionIn, nextStepsFor } from '../../src/runs/next-steps.js';

const t = (s: string) => ({ 'zh-CN': s, 'en-US': s });
const step = (id: string, state: StepView['state'], outputTail = '', idempotent = true): StepView => ({
  idx: 0,
  id,
  title: t(id),
  state,
  idempotent,
  ...(outputTail ? { outputTail } : {}),
});

function view(over: Partial<RunView>): RunView {
  return {
    runId: 'run_x',
    runbookId: 'emergency',
    title: t('Emergency'),
    targetId: 'lark-service',
    params: {},
    state: 'failed',
    requesterOpenId: 'ou_a',
    approvals: [],
    quorum: 1,
    fourEyes: true,
    planHash: 'h',
    createdAt: '2026-01-01T00:00:00.000Z',
    steps: [],
    preflight: [{ id: 'revision', title: t('rev'), ok: true, detail: 'revision: at 6fc3f28b87c8 (head)' }],
    ...over,
  };
}

const emergencyAtBase = view({
  steps: [
    step('stop-app', 'succeeded', 'stopped'),
    step('backup', 'succeeded', 'backup-create: wrote /b/lark-service_emergency_20260101_000000.dump (9 kB)'),
    step('downgrade', 'succeeded', 'INFO  Running downgrade 6fc3f28b87c8 -> , Initial Schema', false),
    step('verify-revision', 'succeeded', 'revision: at base, as expected'),
    step('start-app', 'succeeded'),
    step('health', 'failed', 'health: 503 {"status":"not_ready","missing_tables":["tokens"]}'),
    step('watch-logs', 'skipped'),
  ],
});

describe('next steps: which runbooks fit the state a run left', () => {
  it('reads revisions from check lines and from alembic', () => {
    expect(lastRevisionIn('revision: at base, as expected')).toBe('base');
    expect(lastRevisionIn('Running downgrade 6fc3f28b87c8 -> , Initial')).toBe('base');
    expect(
      lastRevisionIn('Running upgrade  -> 6fc3f28b87c8, x\nRunning upgrade 6fc3f28b87c8 -> 9a1b2c3d4e5f, y'),
    ).toBe('9a1b2c3d4e5f');
    expect(lastRevisionIn('expected head, alembic current says base')).toBe('base');
    expect(lastRevisionIn('no revision here')).toBeUndefined();
    expect(factsOf(emergencyAtBase)).toMatchObject({
      startRevision: '6fc3f28b87c8',
      lastRevision: 'base',
      healthy: false,
      changed: true,
      ownBackup: 'lark-service_emergency_20260101_000000.dump',
    });
  });

  it('a failed run left at base: recover to where it started, or restore its own backup', () => {
    expect(nextStepsFor(emergencyAtBase).map((s) => s.command)).toEqual([
      '/rollback recover lark-service revision=6fc3f28b87c8',
      '/rollback restore lark-service backup=lark-service_emergency_20260101_000000.dump',
    ]);
    expect(nextStepsFor({ ...emergencyAtBase, state: 'cancelled' })).toHaveLength(2);
  });

  it('suggests nothing when the run changed nothing, succeeded, or the runbook is missing', () => {
    const early = view({
      steps: [step('stop-app', 'succeeded'), step('backup', 'failed', 'pg_dump: error')],
    });
    expect(nextStepsFor(early)).toEqual([]);
    expect(nextStepsFor({ ...emergencyAtBase, state: 'succeeded' })).toEqual([]);
    expect(nextStepsFor(emergencyAtBase, { has: (id) => id !== 'restore' }).map((s) => s.runbook)).toEqual([
      'recover',
    ]);
    // A failed recover does not suggest itself again.
    expect(nextStepsFor({ ...emergencyAtBase, runbookId: 'recover' }).map((s) => s.runbook)).toEqual([
      'restore',
    ]);
  });

  it('a downgrade that failed on a missing table suggests stamp-base', () => {
    const gone = view({
      steps: [
        step('backup', 'succeeded'),
        step(
          'downgrade',
          'failed',
          'psycopg2.errors.UndefinedTable: relation "tokens" does not exist',
          false,
        ),
      ],
    });
    expect(nextStepsFor(gone).map((s) => s.runbook)).toEqual(['stamp-base']);
  });

  it('a preflight that refused at base names recover and restore, on the approval card in both languages', () => {
    const refused = view({
      runbookId: 'one',
      state: 'awaiting_approval',
      preflight: [
        { id: 'revision', title: t('rev'), ok: true, detail: 'revision: at base' },
        {
          id: 'preview',
          title: t('preview'),
          ok: false,
          detail: 'the database is at base: there is nothing to downgrade (exit 1)',
        },
      ],
    });
    const next = nextStepsFor(refused);
    expect(next.map((s) => s.command)).toEqual([
      '/rollback recover lark-service',
      '/rollback restore lark-service',
    ]);
    const card = JSON.stringify(
      buildApprovalCard({ ...refused, nextSteps: next }, { timezone: 'UTC', locale: 'zh-CN' }),
    );
    expect(card).toContain('下一步可以运行');
    expect(card).toContain('What to run next');
    expect(card).toContain('`/rollback recover lark-service`');
    // No suggestion, no block.
    expect(JSON.stringify(buildApprovalCard(refused, { timezone: 'UTC', locale: 'en-US' }))).not.toContain(
      'What to run next',
    );
  });

  it('the summary card of a failed run shows the commands', () => {
    const card = JSON.stringify(
      buildSummaryCard(
        { ...emergencyAtBase, nextSteps: nextStepsFor(emergencyAtBase) },
        { timezone: 'UTC', locale: 'en-US' },
      ),
    );
    expect(card).toContain('`/rollback recover lark-service revision=6fc3f28b87c8`');
    expect(card).toContain('重新升级数据库、重启应用并做健康检查');
  });
});
