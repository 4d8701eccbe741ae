import type { CardActionValue, I18nText } from '../../cards/model.js';
import { inTransaction } from '../db/pool.js';
import type { ClickOutcome } from './decide.js';
import { closePendingSteps, resolveStep } from './exec-repo.js';
import { Owed, patchUuid } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { getRun, requestCancel, transition } from './run-repo.js';
import { isLeadOf } from './target-policy.js';
import { loadRunView, toRunView } from './view.js';

const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, 'en-US': en });

/**
 * The progress card's Cancel buttons and the paused card's Retry / Skip / Abort. Cancel: the requester or a
 * Tech Lead. Retry / Skip / Abort: Tech Leads only. Each is one guarded transition; the thread records who
 * decided what.
 */
export async function control(
  deps: RunsDeps,
  click: { operatorOpenId: string; value: CardActionValue },
): Promise<ClickOutcome> {
  const { value, operatorOpenId: who } = click;
  let owed: Owed | undefined;
  let resume = false;
  const outcome = await inTransaction(deps.pool, async (tx): Promise<ClickOutcome> => {
    const run = await getRun(tx, value.run, true);
    if (!run) return { toast: { type: 'error', text: t('找不到该回滚记录。', 'This run does not exist.') } };
    const isLead = isLeadOf(deps, run, who);
    const view = async () => (await loadRunView(tx, run.id)) ?? toRunView(run, [], []);
    const note = async (text: I18nText) => {
      owed = new Owed(tx);
      const current = await view();
      // `{@0}` in a note is the person who clicked, shown as a mention.
      await owed.thread(current, run.chat_id, { render: 'text', text, people: [who] }, patchUuid(run.id));
      return current;
    };
    if (value.action === 'cancel_after_step' || value.action === 'cancel_now') {
      if (!isLead && who !== run.requester_open_id) {
        return {
          toast: {
            type: 'error',
            text: t('只有发起人或 Tech Lead 可以取消。', 'Only the requester or a Tech Lead may cancel.'),
          },
        };
      }
      const mode = value.action === 'cancel_now' ? 'now' : 'after_step';
      if (run.state === 'running') {
        await requestCancel(tx, run.id, mode, who);
        const text =
          mode === 'now'
            ? t('{@0} 要求立即终止当前步骤。', 'Stop now requested by {@0}.')
            : t('{@0} 要求在当前步骤结束后停止。', 'Stop after this step requested by {@0}.');
        return {
          toast: {
            type: 'success',
            text:
              mode === 'now'
                ? t('正在终止…', 'Stopping now…')
                : t('将在当前步骤后停止。', 'Will stop after the current step.'),
          },
          view: await note(text),
        };
      }
      const moved = await transition(tx, run.id, ['queued', 'paused', 'awaiting_approval'], 'cancelled', {
        finished_at: new Date(deps.now()),
        actor_open_id: who,
      });
      if (!moved)
        return {
          toast: { type: 'info', text: t('该回滚已结束。', 'This run has already ended.') },
          view: await view(),
        };
      await closePendingSteps(tx, run.id, 'cancelled');
      return { toast: { type: 'success', text: t('已取消。', 'Cancelled.') }, view: await view() };
    }
    if (!isLead)
      return {
        toast: {
          type: 'error',
          text: t('只有 Tech Lead 可以决定如何继续。', 'Only a Tech Lead may decide how to go on.'),
        },
      };
    if (run.state !== 'paused')
      return {
        toast: { type: 'info', text: t('该回滚不在暂停状态。', 'This run is not paused.') },
        view: await view(),
      };
    if (value.action === 'abort') {
      await transition(tx, run.id, ['paused'], 'cancelled', {
        finished_at: new Date(deps.now()),
        actor_open_id: who,
        reason: 'aborted after an interruption',
      });
      await closePendingSteps(tx, run.id, 'cancelled');
      owed = new Owed(tx);
      const current = await view();
      await owed.thread(current, run.chat_id, { render: 'summary' }, `${run.id}-summary`);
      return { toast: { type: 'success', text: t('已中止。', 'Aborted.') }, view: current };
    }
    const idx = Number(value.plan);
    if (
      !Number.isInteger(idx) ||
      !(await resolveStep(tx, run.id, idx, value.action === 'retry' ? 'pending' : 'skipped'))
    ) {
      return {
        toast: {
          type: 'warning',
          text: t('该步骤状态已变化，卡片已刷新。', 'That step changed; the card was refreshed.'),
        },
        view: await view(),
      };
    }
    await transition(tx, run.id, ['paused'], 'queued', { actor_open_id: who });
    resume = true;
    const verb = value.action === 'retry' ? t('重试', 'Retry') : t('跳过', 'Skip');
    const current = await note(
      t(
        `{@0} 选择了「${verb['zh-CN']}」第 ${idx + 1} 步。`,
        `${verb['en-US']} of step ${idx + 1} chosen by {@0}.`,
      ),
    );
    return {
      toast: { type: 'success', text: t(`已${verb['zh-CN']}，继续执行。`, `${verb['en-US']}: resuming.`) },
      view: current,
    };
  });
  if (owed) await owed.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  if (resume)
    await deps.jobs
      .execute(value.run)
      .catch((error) => deps.log.warn({ err: error }, 'execute not queued; the sweep will queue it'));
  return outcome;
}
