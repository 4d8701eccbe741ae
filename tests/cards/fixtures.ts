import type { RenderOptions, RunView, StepState, StepView } from '../../cards/model.js';

/** The seed's scenario 3 (production emergency rollback, RTO 15 min) as the runs domain would hand it over. */

export const RUN_ID = 'run_01HZX3K9Q8V7T6R5E4W3M2N1B0';
export const PLAN_HASH = 'sha256:9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f';
export const REQUESTER = 'ou_5f3a9c2e1b7d4f6a8c0e2b4d6f8a0c1e';
export const TECH_LEAD = 'ou_7c1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f';
export const ATTACK = '**x** <at id=all></at> [a](http://x)';

export const SHANGHAI_EN: RenderOptions = { timezone: 'Asia/Shanghai', locale: 'en-US' };
export const SHANGHAI_ZH: RenderOptions = { timezone: 'Asia/Shanghai', locale: 'zh-CN' };

const STEPS: Array<Pick<StepView, 'id' | 'title' | 'idempotent'>> = [
  { id: 'stop-app', title: { 'zh-CN': '停止应用', 'en-US': 'Stop the application' }, idempotent: true },
  { id: 'backup', title: { 'zh-CN': '备份数据库', 'en-US': 'Back up the database' }, idempotent: true },
  {
    id: 'downgrade',
    title: { 'zh-CN': '回滚数据库迁移', 'en-US': 'Downgrade the database migration' },
    idempotent: false,
  },
  {
    id: 'verify',
    title: { 'zh-CN': '验证数据库状态', 'en-US': 'Verify the database state' },
    idempotent: true,
  },
  { id: 'restart', title: { 'zh-CN': '重启应用', 'en-US': 'Restart the application' }, idempotent: true },
  { id: 'health', title: { 'zh-CN': '健康检查', 'en-US': 'Health check /health/ready' }, idempotent: true },
  {
    id: 'watch-logs',
    title: { 'zh-CN': '查看应用日志', 'en-US': 'Watch the application logs' },
    idempotent: true,
  },
];

/** Instants of the fixture run (UTC; 10:31:50 in Asia/Shanghai is 02:31:50Z). */
export const T = {
  created: '2024-06-01T02:31:50.000Z',
  expires: '2024-06-01T02:41:50.000Z',
  approved: '2024-06-01T02:31:52.400Z',
  started: '2024-06-01T02:31:53.000Z',
};

/** Step `i` starts at started + 2 s·i and, when finished, takes 1.5 s (the downgrade takes 4.2 s). */
export function stepAt(i: number, state: StepState): StepView {
  const base = STEPS[i];
  if (!base) throw new Error(`no step ${i}`);
  const startMs = Date.parse(T.started) + i * 2000;
  const step: StepView = { idx: i, ...base, state };
  if (state === 'pending') return step;
  step.startedAt = new Date(startMs).toISOString();
  if (state === 'running' || state === 'interrupted') return step;
  step.finishedAt = new Date(startMs + (base.id === 'downgrade' ? 4200 : 1500)).toISOString();
  step.exitCode = state === 'succeeded' ? 0 : state === 'failed' ? 3 : null;
  return step;
}

export function steps(states: StepState[]): StepView[] {
  return states.map((s, i) => stepAt(i, s));
}

const ALL_PENDING: StepState[] = [
  'pending',
  'pending',
  'pending',
  'pending',
  'pending',
  'pending',
  'pending',
];

export function awaitingApproval(overrides: Partial<RunView> = {}): RunView {
  return {
    runId: RUN_ID,
    runbookId: 'emergency',
    title: { 'zh-CN': '生产环境紧急回滚', 'en-US': 'Production emergency rollback' },
    targetId: 'lark-service',
    params: { revision: '-1' },
    state: 'awaiting_approval',
    requesterOpenId: REQUESTER,
    approvals: [],
    quorum: 1,
    fourEyes: true,
    planHash: PLAN_HASH,
    createdAt: T.created,
    expiresAt: T.expires,
    rtoSeconds: 900,
    steps: steps(ALL_PENDING),
    preflight: [
      {
        id: 'current',
        title: { 'zh-CN': '当前版本', 'en-US': 'Current revision' },
        ok: true,
        detail: '6fc3f28b87c8 (head) -> 3a1b5c7d9e0f',
      },
      {
        id: 'backup',
        title: { 'zh-CN': '最近备份', 'en-US': 'Fresh backup' },
        ok: true,
        detail: 'lark_service-20240601-1031.dump, 12.4 MB, pg_restore --list ok',
      },
      {
        id: 'lock',
        title: { 'zh-CN': '目标空闲', 'en-US': 'Target free' },
        ok: true,
        detail: 'no active run',
      },
    ],
    notices: [
      {
        'zh-CN': '降级将删除表 tokens_v2 的 1,204 行数据',
        'en-US': 'The downgrade drops table tokens_v2 (1,204 rows)',
      },
    ],
    ...overrides,
  };
}

const APPROVED = [{ openId: TECH_LEAD, decision: 'approve' as const, at: T.approved }];

export function running(overrides: Partial<RunView> = {}): RunView {
  return awaitingApproval({
    state: 'running',
    approvals: APPROVED,
    startedAt: T.started,
    steps: steps(['succeeded', 'succeeded', 'running', 'pending', 'pending', 'pending', 'pending']),
    ...overrides,
  });
}

export function paused(overrides: Partial<RunView> = {}): RunView {
  return running({
    state: 'paused',
    steps: steps(['succeeded', 'succeeded', 'interrupted', 'pending', 'pending', 'pending', 'pending']),
    ...overrides,
  });
}

export function succeeded(overrides: Partial<RunView> = {}): RunView {
  const done = steps([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
  ]);
  return running({ state: 'succeeded', steps: done, finishedAt: done[6]?.finishedAt, ...overrides });
}

export const FAILED_TAIL = [
  'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
  'INFO  [alembic.runtime.migration] Running downgrade 6fc3f28b87c8 -> 3a1b5c7d9e0f, add tokens_v2',
  'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DependentObjectsStillExist)',
  'cannot drop table tokens_v2 because other objects depend on it',
  'DETAIL:  view active_tokens depends on table tokens_v2',
].join('\n');

export function failed(overrides: Partial<RunView> = {}): RunView {
  const s = steps(['succeeded', 'succeeded', 'failed', 'pending', 'pending', 'pending', 'pending']);
  const downgrade = s[2];
  if (downgrade) downgrade.outputTail = FAILED_TAIL;
  return running({
    state: 'failed',
    steps: s,
    finishedAt: downgrade?.finishedAt,
    reason: 'step downgrade failed',
    ...overrides,
  });
}

export function cancelled(overrides: Partial<RunView> = {}): RunView {
  const s = steps(['succeeded', 'cancelled', 'pending', 'pending', 'pending', 'pending', 'pending']);
  return running({
    state: 'cancelled',
    steps: s,
    finishedAt: s[1]?.finishedAt,
    actorOpenId: TECH_LEAD,
    reason: 'cancel_now',
    ...overrides,
  });
}

export function rejected(overrides: Partial<RunView> = {}): RunView {
  return awaitingApproval({
    state: 'rejected',
    approvals: [{ openId: TECH_LEAD, decision: 'reject', at: '2024-06-01T02:33:07.000Z' }],
    finishedAt: '2024-06-01T02:33:07.000Z',
    ...overrides,
  });
}

export function expired(overrides: Partial<RunView> = {}): RunView {
  return awaitingApproval({ state: 'expired', finishedAt: T.expires, ...overrides });
}

/** A run with `n` steps, each failed step carrying a tail of `tailBytes` bytes. */
export function huge(n: number, tailBytes: number, state: RunView['state'] = 'failed'): RunView {
  const line = `${'E'.repeat(99)}\n`;
  const tail = line.repeat(Math.ceil(tailBytes / line.length)).slice(0, tailBytes);
  const many: StepView[] = Array.from({ length: n }, (_, i) => ({
    idx: i,
    id: `step-${i}`,
    title: {
      'zh-CN': `第 ${i + 1} 步：检查并回滚第 ${i + 1} 个分片的迁移`,
      'en-US': `Check and roll back shard ${i + 1}`,
    },
    state: i % 3 === 0 ? 'failed' : 'succeeded',
    idempotent: i % 2 === 0,
    startedAt: new Date(Date.parse(T.started) + i * 1000).toISOString(),
    finishedAt: new Date(Date.parse(T.started) + i * 1000 + 900).toISOString(),
    exitCode: i % 3 === 0 ? 1 : 0,
    outputTail: tail,
  }));
  return running({ state, steps: many, finishedAt: many[n - 1]?.finishedAt });
}
