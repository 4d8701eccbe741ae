import { describe, expect, it } from 'vitest';
import {
  buildApprovalCard,
  buildExpiredCard,
  buildPausedCard,
  buildProgressCard,
  buildRejectedCard,
  buildRunCard,
  buildSummaryCard,
} from '../../cards/index.js';
import type { RunView } from '../../cards/model.js';
import {
  awaitingApproval,
  cancelled,
  expired,
  failed,
  PLAN_HASH,
  paused,
  REQUESTER,
  RUN_ID,
  rejected,
  running,
  SHANGHAI_EN,
  SHANGHAI_ZH,
  succeeded,
  TECH_LEAD,
} from './fixtures.js';
import { allTexts, buttons, callbackValues } from './walk.js';

describe('snapshots (whole cards)', () => {
  const cases: Array<[string, (v: RunView, o: typeof SHANGHAI_EN) => unknown, RunView]> = [
    ['approval', buildApprovalCard, awaitingApproval()],
    ['progress', buildProgressCard, running()],
    ['paused', buildPausedCard, paused()],
    ['summary succeeded', buildSummaryCard, succeeded()],
    ['summary failed', buildSummaryCard, failed()],
    ['summary cancelled', buildSummaryCard, cancelled()],
    ['rejected', buildRejectedCard, rejected()],
    ['expired', buildExpiredCard, expired()],
  ];
  for (const [name, build, view] of cases) {
    it(`${name} (en-US)`, () => expect(build(view, SHANGHAI_EN)).toMatchSnapshot());
  }
  it('approval (zh-CN content)', () =>
    expect(buildApprovalCard(awaitingApproval(), SHANGHAI_ZH)).toMatchSnapshot());
});

describe('approval card', () => {
  it('carries exactly the approve and reject callback values', () => {
    expect(callbackValues(buildApprovalCard(awaitingApproval(), SHANGHAI_EN))).toEqual([
      { action: 'approve', run: RUN_ID, plan: PLAN_HASH },
      { action: 'reject', run: RUN_ID },
    ]);
  });

  it('lays the buttons out with the documented types: Approve in a column_set, Reject in a form with a reason', () => {
    const card = buildApprovalCard(awaitingApproval(), SHANGHAI_EN);
    expect(card.body.elements.at(-2)?.tag).toBe('column_set');
    const form = card.body.elements.at(-1);
    expect(form?.tag).toBe('form');
    const inForm = form?.tag === 'form' ? form.elements : [];
    expect(inForm.map((e) => e.tag)).toEqual(['input', 'button']);
    expect(inForm[0]).toMatchObject({
      tag: 'input',
      name: 'reject_reason',
      required: false,
      max_length: 300,
    });
    expect(inForm[1]).toMatchObject({ tag: 'button', name: 'reject_btn', form_action_type: 'submit' });
    expect(buttons(card).map((b) => b.type)).toEqual(['primary_filled', 'danger']);
    expect(buttons(card).map((b) => (b.text as { i18n_content: unknown }).i18n_content)).toEqual([
      { zh_cn: '批准', en_us: 'Approve' },
      { zh_cn: '拒绝', en_us: 'Reject' },
    ]);
  });

  it('does not offer Approve when a preflight line failed, and says why', () => {
    const view = awaitingApproval({
      preflight: [
        {
          id: 'current',
          title: { 'zh-CN': '当前版本', 'en-US': 'Current revision' },
          ok: true,
          detail: 'head',
        },
        {
          id: 'lock',
          title: { 'zh-CN': '目标空闲', 'en-US': 'Target free' },
          ok: false,
          detail: 'run r1 active',
        },
      ],
    });
    const card = buildApprovalCard(view, SHANGHAI_EN);
    expect(callbackValues(card)).toEqual([{ action: 'reject', run: RUN_ID }]);
    const text = allTexts(card);
    expect(text).toContain('Approve is not offered');
    expect(text).toContain('✗ Target free');
  });

  it('shows the title, target, params, steps, RTO, requester, expiry, quorum, four-eyes and preflight', () => {
    const card = buildApprovalCard(awaitingApproval(), SHANGHAI_EN);
    expect(card.header.title.i18n_content).toEqual({
      zh_cn: '生产环境紧急回滚',
      en_us: 'Production emergency rollback',
    });
    expect(card.header.template).toBe('red');
    const en = card.body.elements
      .map((e) => (e.tag === 'markdown' ? (e.i18n_content?.en_us ?? e.content) : ''))
      .join('\n');
    expect(en).toContain('**Target:** lark-service');
    expect(en).toContain('revision = &#45;1');
    expect(en).toContain('**RTO budget:** 15m 00s');
    expect(en).toContain(`**Requested by:** <at id=${REQUESTER}></at>`);
    expect(en).toContain('**Request expires:** 2024-06-01 10:41:50 (Asia/Shanghai)');
    expect(en).toContain('**Approvals:** 0 / 1');
    expect(en).toContain('Four-eyes');
    expect(en).toContain(
      '1. Stop the application\n2. Back up the database\n3. Downgrade the database migration',
    );
    expect(en).toContain('7. Watch the application logs');
    expect(en).toContain('✓ Current revision — 6fc3f28b87c8 &#40;head&#41;');
    expect(en).toContain('⚠️ The downgrade drops table tokens&#95;v2');
    expect(allTexts(card)).toContain('1. 停止应用');
  });

  it('is orange for a runbook that is not an emergency', () => {
    expect(buildApprovalCard(awaitingApproval({ runbookId: 'one' }), SHANGHAI_EN).header.template).toBe(
      'orange',
    );
  });
});

describe('progress card', () => {
  it('shows icons, times, durations, elapsed and the approver', () => {
    const card = buildProgressCard(running(), SHANGHAI_EN);
    const text = allTexts(card);
    expect(text).toContain('✅ 1. Stop the application — succeeded · 10:31:53 (T+00:00) · 1.5s');
    expect(text).toContain('▶ 3. Downgrade the database migration — running · 10:31:57 (T+00:04)');
    expect(text).toContain('⏳ 4. Verify the database state — pending');
    expect(text).toContain('**Status:** Running · elapsed T+00:04 (as of 10:31:57)');
    expect(text).toContain(`**Approved by:** <at id=${TECH_LEAD}></at>`);
    expect(card.header.template).toBe('blue');
    expect(buildProgressCard(running({ state: 'queued' }), SHANGHAI_EN).header.template).toBe('wathet');
  });

  it('carries exactly the two cancel callbacks, Cancel now as danger with a confirmation', () => {
    const card = buildProgressCard(running(), SHANGHAI_EN);
    expect(callbackValues(card)).toEqual([
      { action: 'cancel_after_step', run: RUN_ID },
      { action: 'cancel_now', run: RUN_ID },
    ]);
    const [, now] = buttons(card);
    expect(now?.type).toBe('danger');
    expect(now?.confirm).toBeDefined();
  });

  it('names the buttons for what they do, and the confirmation says what Confirm and Cancel mean', () => {
    const card = buildProgressCard(running(), SHANGHAI_EN);
    const texts = buttons(card).map((b) => (b.text as { i18n_content: unknown }).i18n_content);
    expect(texts).toEqual([
      { zh_cn: '当前步骤完成后停止', en_us: 'Stop after this step' },
      { zh_cn: '立即停止', en_us: 'Stop now' },
    ]);
    const confirm = JSON.stringify(buttons(card)[1]?.confirm);
    expect(confirm).toContain('Cancel closes this and the rollback keeps running.');
    expect(confirm).toContain('取消：关闭此提示，回滚继续执行。');
  });

  it('once stopping after the step: says so, who asked, and offers only Stop now', () => {
    const card = buildProgressCard(
      running({ cancelRequested: 'after_step', actorOpenId: 'ou_oncall' }),
      SHANGHAI_EN,
    );
    expect(callbackValues(card)).toEqual([{ action: 'cancel_now', run: RUN_ID }]);
    const text = allTexts(card);
    expect(text).toContain(
      '**Stopping after the current step** (asked by <at id=ou_oncall></at>): the remaining steps will not run.',
    );
    expect(text).toContain('**将在当前步骤完成后停止**（<at id=ou_oncall></at> 要求），剩余步骤不再执行。');
  });

  it('once stopping now: says so and offers nothing more', () => {
    const card = buildProgressCard(
      running({ cancelRequested: 'now', actorOpenId: 'ou_oncall' }),
      SHANGHAI_EN,
    );
    expect(buttons(card)).toEqual([]);
    expect(allTexts(card)).toContain(
      '**Stopping now** (asked by <at id=ou_oncall></at>): the remaining steps will not run.',
    );
  });
});

describe('paused card', () => {
  it('names the interrupted step and why it was not re-run, with Retry / Skip / Abort for that step idx', () => {
    const card = buildPausedCard(paused(), SHANGHAI_EN);
    expect(card.header.template).toBe('yellow');
    const text = allTexts(card);
    expect(text).toContain('Step 3. Downgrade the database migration was interrupted at 10:31:57 (T+00:04)');
    expect(text).toContain('not idempotent');
    expect(callbackValues(card)).toEqual([
      { action: 'retry', run: RUN_ID, plan: '2' },
      { action: 'skip', run: RUN_ID, plan: '2' },
      { action: 'abort', run: RUN_ID, plan: '2' },
    ]);
  });
});

describe('summary card', () => {
  it('has no buttons and reports the outcome, RTO verdict, timeline and export hint', () => {
    const card = buildSummaryCard(succeeded(), SHANGHAI_EN);
    expect(buttons(card)).toEqual([]);
    expect(card.header.template).toBe('green');
    const text = allTexts(card);
    expect(text).toContain('**Outcome:** ✅ Succeeded');
    expect(text).toContain('**Total time:** 13.5s of RTO 15m 00s: ✅ within budget');
    expect(text).toContain(`\`/rollback export ${RUN_ID}\``);
    expect(text).toContain(`\`rollback-bot export ${RUN_ID}\``);
    expect(text).toContain(`<at id=${REQUESTER}></at>`);
    expect(text).toContain(`<at id=${TECH_LEAD}></at>`);
  });

  it('shows the exit code and the output tail of a failed step, and the over-budget verdict', () => {
    const card = buildSummaryCard(failed({ rtoSeconds: 5 }), SHANGHAI_EN);
    expect(card.header.template).toBe('red');
    const text = allTexts(card);
    expect(text).toContain(
      '❌ 3. Downgrade the database migration — failed · 10:31:57 (T+00:04) · 4.2s · exit code 3',
    );
    expect(text).toContain('over budget by 3.2s');
    expect(text).toContain('```\nINFO  [alembic.runtime.migration] Context impl PostgresqlImpl.');
    expect(text).toContain('**Output of step 3. Downgrade the database migration (last 5 lines)**');
  });

  it('is grey and names who cancelled', () => {
    const card = buildSummaryCard(cancelled(), SHANGHAI_EN);
    expect(card.header.template).toBe('grey');
    expect(allTexts(card)).toContain(`**Cancelled by:** <at id=${TECH_LEAD}></at>`);
  });
});

describe('rejected and expired cards', () => {
  it('rejected: who and when, no buttons', () => {
    const card = buildRejectedCard(rejected(), SHANGHAI_EN);
    expect(buttons(card)).toEqual([]);
    expect(allTexts(card)).toContain(`**Rejected by:** <at id=${TECH_LEAD}></at> at 2024-06-01 10:33:07`);
  });

  it('expired: when, no buttons', () => {
    const card = buildExpiredCard(expired(), SHANGHAI_EN);
    expect(buttons(card)).toEqual([]);
    expect(allTexts(card)).toContain(
      '**Expired at** 2024-06-01 10:41:50 (Asia/Shanghai) with 0 / 1 approvals.',
    );
  });
});

describe('buildRunCard', () => {
  const byState: Array<[RunView, (v: RunView, o: typeof SHANGHAI_EN) => unknown]> = [
    [awaitingApproval({ state: 'requested', preflight: [] }), buildApprovalCard],
    [awaitingApproval(), buildApprovalCard],
    [running({ state: 'queued' }), buildProgressCard],
    [running(), buildProgressCard],
    [paused(), buildPausedCard],
    [succeeded(), buildSummaryCard],
    [failed(), buildSummaryCard],
    [cancelled(), buildSummaryCard],
    [rejected(), buildRejectedCard],
    [expired(), buildExpiredCard],
  ];
  for (const [view, build] of byState) {
    it(`dispatches ${view.state}`, () => {
      const card = buildRunCard(view, SHANGHAI_EN);
      expect(card).toEqual(build(view, SHANGHAI_EN));
      expect(card.schema).toBe('2.0');
      expect(card.config.update_multi).toBe(true);
      expect(card.header.subtitle?.content).toMatch(/ · target lark-service$/);
    });
  }

  it('says the preflight is still running for a requested run, and offers only Reject until it is done', () => {
    const card = buildRunCard(awaitingApproval({ state: 'requested', preflight: undefined }), SHANGHAI_EN);
    expect(allTexts(card)).toContain('Preflight is running');
    expect(callbackValues(card)).toEqual([{ action: 'reject', run: RUN_ID }]);
  });
});
