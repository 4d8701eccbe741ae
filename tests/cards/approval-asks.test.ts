import { describe, expect, it } from 'vitest';
import { buildApprovalCard, buildRunCard } from '../../cards/index.js';
import type { RunView } from '../../cards/model.js';
import { awaitingApproval, PLAN_HASH, REQUESTER, SHANGHAI_EN, T, TECH_LEAD } from './fixtures.js';
import { allTexts, buttons, callbackValues } from './walk.js';

const OTHER_LEAD = 'ou_2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c0e';
const both = (view: RunView) => allTexts(buildApprovalCard(view, SHANGHAI_EN));

describe('approval card: who is asked, void approvals, a changed plan, a failed preflight', () => {
  it('mentions every eligible approver who has not approved yet, in both languages', () => {
    const text = both(awaitingApproval({ approverOpenIds: [TECH_LEAD, OTHER_LEAD] }));
    expect(text).toContain(`**Approval needed from:** <at id=${TECH_LEAD}></at> <at id=${OTHER_LEAD}></at>`);
    expect(text).toContain(`**请审批**：<at id=${TECH_LEAD}></at> <at id=${OTHER_LEAD}></at>`);
    const half = both(
      awaitingApproval({
        quorum: 2,
        approverOpenIds: [TECH_LEAD, OTHER_LEAD],
        approvals: [{ openId: TECH_LEAD, decision: 'approve', at: T.approved }],
      }),
    );
    expect(half).toContain(`**Approval needed from:** <at id=${OTHER_LEAD}></at>\n`);
    expect(half).toContain('**Approvals:** 1 / 2');
  });

  it('does not ask anyone once the request has ended', () => {
    const text = both(awaitingApproval({ state: 'expired', approverOpenIds: [TECH_LEAD] }));
    expect(text).not.toContain('Approval needed from');
  });

  it('shows approvals of an earlier plan struck through as void and does not count them', () => {
    const text = both(
      awaitingApproval({
        approverOpenIds: [TECH_LEAD],
        approvals: [{ openId: TECH_LEAD, decision: 'approve', at: T.approved, void: true }],
        planChanges: [
          {
            title: { 'zh-CN': '当前版本', 'en-US': 'Current revision' },
            before: { 'zh-CN': '当前为 6fc3f28b87c8 (head)', 'en-US': 'at 6fc3f28b87c8 (head)' },
            after: { 'zh-CN': '当前为 base', 'en-US': 'at base' },
          },
        ],
      }),
    );
    expect(text).toContain('**Approvals:** 0 / 1');
    expect(text).toContain(`**Void approvals** (plan changed): ~~<at id=${TECH_LEAD}></at>~~`);
    expect(text).toContain('The state changed after approval');
    expect(text).toContain('Current revision: at 6fc3f28b87c8 &#40;head&#41; → at base');
    expect(text).toContain('当前版本：当前为 6fc3f28b87c8 &#40;head&#41; → 当前为 base');
    expect(text).toContain('Earlier approvals are void; a new approval is needed.');
    expect(text).not.toContain('revision=');
  });

  it('renders a bilingual preflight result in each language', () => {
    const view = awaitingApproval({
      preflight: [
        {
          id: 'preview',
          title: { 'zh-CN': '回滚将删除的对象', 'en-US': 'What the downgrade drops' },
          ok: true,
          detail: {
            'zh-CN': '6fc3f28b87c8 → base：删除 1 张表：tokens（3 行）',
            'en-US': '6fc3f28b87c8 → base: drops table tokens (3 rows)',
          },
        },
      ],
    });
    const text = both(view);
    expect(text).toContain(
      '✓ What the downgrade drops — 6fc3f28b87c8 → base&#58; drops table tokens &#40;3 rows&#41;',
    );
    expect(text).toContain('✓ 回滚将删除的对象 — 6fc3f28b87c8 → base：删除 1 张表：tokens（3 行）');
  });

  it('keeps the approval card for a request that failed at its preflight: why, no buttons, request again now', () => {
    const view = awaitingApproval({
      state: 'failed',
      preflightFailed: true,
      approverOpenIds: [TECH_LEAD],
      reason: 'preflight failed',
      preflight: [
        {
          id: 'db',
          title: { 'zh-CN': '数据库可达', 'en-US': 'Database reachable' },
          ok: false,
          detail: 'refused',
        },
      ],
    });
    const card = buildRunCard(view, SHANGHAI_EN);
    expect(buttons(card)).toHaveLength(0);
    expect(callbackValues(card)).toHaveLength(0);
    const text = allTexts(card);
    expect(text).toContain('✗ Database reachable — refused');
    expect(text).toContain('this request ended (failed) and the target is free');
    expect(text).toContain('a new request can be made now');
    expect(text).toContain('目标已释放。排除问题后可以立即重新申请');
    expect(text).not.toContain('Approval needed from');
    expect(JSON.stringify(card)).not.toContain(PLAN_HASH);
    expect(text).toContain(`<at id=${REQUESTER}></at>`);
  });
});
