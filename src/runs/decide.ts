import type { CardActionValue, I18nText, PlanChange, RunView } from '../../cards/model.js';
import { inTransaction } from '../db/pool.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import { Owed } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import {
  countApprovals,
  expireIfDue,
  getApprovals,
  getRun,
  getSteps,
  insertApproval,
  transition,
} from './run-repo.js';
import { clearWaitingForRunner, runnerUpFor } from './runners-repo.js';
import { holdUntilStart } from './schedule.js';
import { isLeadOf } from './target-policy.js';
import { loadRunView, toRunView } from './view.js';

export type ToastType = 'success' | 'info' | 'warning' | 'error';

/** The answer to a card click: a toast, and the card as it now stands (absent: leave the card alone). */
export interface ClickOutcome {
  toast: { type: ToastType; text: I18nText };
  view?: RunView;
}

const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, 'en-US': en });

const STATE_TEXT: Record<string, I18nText> = {
  scheduled: t('已批准并预约了开始时间', 'approved and scheduled'),
  queued: t('已批准', 'already approved'),
  running: t('正在执行', 'already running'),
  paused: t('已暂停', 'paused'),
  succeeded: t('已成功完成', 'already finished'),
  failed: t('已失败结束', 'already failed'),
  rejected: t('已被拒绝', 'already rejected'),
  expired: t('已过期', 'expired'),
  cancelled: t('已取消', 'cancelled'),
};

/**
 * Approve or reject a run from its card. Serialised per run by a row lock; every change is a guarded
 * transition, so double clicks and two leads clicking at once approve once and execute once.
 */
export async function decide(
  deps: RunsDeps,
  click: { operatorOpenId: string; value: CardActionValue; reason?: string },
): Promise<ClickOutcome> {
  const { value, operatorOpenId } = click;
  let queued = false;
  let scheduledAt: Date | undefined;
  let owed: Owed | undefined;
  const outcome = await inTransaction(deps.pool, async (tx): Promise<ClickOutcome> => {
    const run = await getRun(tx, value.run, true);
    if (!run) return { toast: { type: 'error', text: t('找不到该回滚记录。', 'This run does not exist.') } };
    const view = async () => (await loadRunView(tx, run.id)) ?? toRunView(run, [], []);
    if (run.state === 'requested') {
      return {
        toast: {
          type: 'info',
          text: t(
            '预检仍在进行，完成后卡片会更新。',
            'The preflight is still running; the card updates when it is done.',
          ),
        },
        view: await view(),
      };
    }
    if (run.state !== 'awaiting_approval') {
      const said = STATE_TEXT[run.state] ?? t(run.state, run.state);
      return {
        toast: { type: 'info', text: t(`该回滚${said['zh-CN']}。`, `This run is ${said['en-US']}.`) },
        view: await view(),
      };
    }
    if (run.expires_at && new Date(run.expires_at).getTime() <= deps.now()) {
      await transition(tx, run.id, ['awaiting_approval'], 'expired', { finished_at: new Date(deps.now()) });
      return {
        toast: {
          type: 'warning',
          text: t('该申请已过期，请重新发起。', 'This request has expired; please request again.'),
        },
        view: await view(),
      };
    }
    if (!isLeadOf(deps, run, operatorOpenId)) {
      return {
        toast: {
          type: 'error',
          text: t(
            `只有目标 ${run.target_id} 的 Tech Lead 可以审批这次回滚。`,
            `Only a Tech Lead of target ${run.target_id} may approve or reject this rollback.`,
          ),
        },
      };
    }
    if (value.action === 'reject') {
      const reason = click.reason ? redactReason(deps, run.target_id, click.reason) : undefined;
      await insertApproval(tx, run.id, operatorOpenId, 'reject', run.plan_hash);
      await transition(tx, run.id, ['awaiting_approval'], 'rejected', {
        finished_at: new Date(deps.now()),
        actor_open_id: operatorOpenId,
        ...(reason ? { reason } : {}),
      });
      const current = await view();
      if (reason) {
        // The reason in the card's thread too, where the people who asked for the rollback read on.
        owed = new Owed(tx);
        const text = t(`拒绝原因：${reason}`, `Rejected. Reason: ${reason}`);
        await owed.thread(current, run.chat_id, { render: 'text', text }, `${run.id}-reject-reason`);
      }
      return { toast: { type: 'info', text: t('已拒绝该回滚。', 'Rollback rejected.') }, view: current };
    }
    if (value.action === 'approve' && run.view.waitingForRunner !== undefined) {
      if (!(await runnerUpFor(tx, run.runner_pool, run.target_id))) {
        return {
          toast: {
            type: 'warning',
            text: t(
              `执行器池 ${run.runner_pool} 中还没有在线的执行器，暂不能批准；执行器启动后卡片会更新。`,
              `No runner is up in pool ${run.runner_pool} yet, so this cannot be approved; the card updates when one starts.`,
            ),
          },
          view: await view(),
        };
      }
      await clearWaitingForRunner(tx, [run.runner_pool], [run.target_id]);
    }
    if (run.four_eyes && operatorOpenId === run.requester_open_id) {
      return {
        toast: {
          type: 'error',
          text: t(
            '你是该回滚的发起人，不能自己审批（四眼原则）：请另一位 Tech Lead 审批。',
            'You requested this run, so you cannot approve it (four-eyes): another Tech Lead must.',
          ),
        },
      };
    }
    if (value.plan !== run.plan_hash) {
      const changes = run.view.planChanges ?? [];
      const text =
        changes.length > 0
          ? changedToast(changes)
          : t(
              '计划已变化，之前的批准已作废；卡片已刷新，请重新确认后审批。',
              'The plan changed, so earlier approvals are void; the card was refreshed. Review it and approve again.',
            );
      return { toast: { type: 'warning', text }, view: await view() };
    }
    if (!(await insertApproval(tx, run.id, operatorOpenId, 'approve', run.plan_hash))) {
      return {
        toast: { type: 'info', text: t('你已经批准过了。', 'You already approved this run.') },
        view: await view(),
      };
    }
    const approvals = await countApprovals(tx, run.id, run.plan_hash);
    if (approvals < run.quorum) {
      const text = t(
        `已记录批准（${approvals}/${run.quorum}）。`,
        `Approval recorded (${approvals}/${run.quorum}).`,
      );
      return { toast: { type: 'success', text }, view: await view() };
    }
    const held = new Owed(tx);
    const startAt = await holdUntilStart(deps, tx, run, held);
    if (startAt) {
      owed = held;
      scheduledAt = startAt;
      return {
        toast: {
          type: 'success',
          text: t('已批准，将按预约时间开始。', 'Approved; it starts at the scheduled time.'),
        },
        view: await view(),
      };
    }
    const moved = await transition(tx, run.id, ['awaiting_approval'], 'queued', {
      approved_at: new Date(deps.now()),
    });
    queued = moved !== undefined;
    // With binding preflight steps the worker re-checks the state before the first step; say so rather than
    // claim the rollback started (if the state changed, the card and the thread say so and ask again).
    const text = run.view.observed
      ? t(
          '已批准。先复查状态，未变化才开始回滚。',
          'Approved. The state is re-checked; the rollback starts if it is unchanged.',
        )
      : t('已批准，开始回滚。', 'Approved – rollback started.');
    return { toast: { type: 'success', text }, view: await view() };
  });
  if (owed) await owed.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  if (scheduledAt && deps.jobs.startAt) {
    await deps.jobs
      .startAt(value.run, scheduledAt)
      .catch((error) => deps.log.warn({ err: error }, 'start job not queued; the sweep will start it'));
  }
  if (queued) {
    await deps.jobs
      .execute(value.run)
      .catch((error) => deps.log.warn({ err: error }, 'execute not queued; the sweep will queue it'));
  }
  return outcome;
}

/** The toast for a click on an approval of the old plan: what changed, and that a new approval is needed. */
function changedToast(changes: readonly PlanChange[]): I18nText {
  const zh = changes.map((c) => `${c.title['zh-CN']}：${c.before['zh-CN']} → ${c.after['zh-CN']}`);
  const en = changes.map((c) => `${c.title['en-US']}: ${c.before['en-US']} → ${c.after['en-US']}`);
  return t(
    `批准后状态已变化（${zh.join('；')}），之前的批准已作废。请查看刷新后的卡片并重新审批。`,
    `The state changed after approval (${en.join('; ')}), so earlier approvals are void. Review the refreshed card and approve again.`,
  );
}

/** A Tech Lead's typed reason, with the target's secrets masked (it is shown on the card and stored). */
function redactReason(deps: RunsDeps, targetId: string, reason: string): string {
  const target = deps.catalog().targets.get(targetId);
  return target ? createRedactor(secretsOfTarget(target))(reason) : reason;
}

/** The delayed expiry job: expire a request still awaiting approval, and show it on the card. */
export async function expireRun(deps: RunsDeps, runId: string): Promise<boolean> {
  const owed: { o?: Owed } = {};
  const expired = await inTransaction(deps.pool, async (tx) => {
    const run = await expireIfDue(tx, runId);
    if (!run) return false;
    owed.o = new Owed(tx);
    await owed.o.runCard(
      toRunView(run, await getSteps(tx, runId), await getApprovals(tx, runId)),
      run.chat_id,
      'patch',
      `${runId}-expired`,
    );
    return true;
  });
  if (owed.o)
    await owed.o.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  return expired;
}
