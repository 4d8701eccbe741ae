import { timeLeftI18n } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import { inTransaction, type PoolClient } from '../db/pool.js';
import { Owed } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { getRun, type RunRow, transition } from './run-repo.js';
import { dueReminders, dueScheduledRuns, markRemindersSent } from './schedule-repo.js';
import { type AtResult, formatStart, resolveAt } from './schedule-time.js';
import { zoneOf } from './target-policy.js';
import { loadRunView } from './view.js';

/** Runs started later (`at=`, issue 14 item 1): resolve the start, hold the run, remind, start it on time. */

const DEFAULTS = { maxAheadMs: 7 * 86_400_000, remindersMs: [86_400_000, 600_000], noticeMs: 86_400_000 };
const t = (zh: string, en: string): I18nText => ({ 'zh-CN': zh, 'en-US': en });

function scheduleOf(deps: RunsDeps) {
  return deps.policy.schedule ?? DEFAULTS;
}

/** `at=` → the start time, or what is wrong with it and how to write it. */
export function resolveStart(deps: RunsDeps, at: string): AtResult {
  return resolveAt(at, {
    now: deps.now(),
    timezone: zoneOf(deps.policy),
    window: deps.policy.window?.text ?? '02:00-04:00',
    maxAheadMs: scheduleOf(deps).maxAheadMs,
  });
}

/** Notices for the approval card of a scheduled request: when it starts, and a short notice period. */
export function scheduleNotices(deps: RunsDeps, startAt: Date): I18nText[] {
  const when = formatStart(startAt, zoneOf(deps.policy));
  const notices = [t(`批准后于 ${when} 开始执行。`, `Once approved, it starts at ${when}.`)];
  const { noticeMs } = scheduleOf(deps);
  if (startAt.getTime() - deps.now() < noticeMs) {
    const hours = Math.round(noticeMs / 3_600_000);
    notices.push(
      t(
        `距开始不足 ${hours} 小时：未满足运维手册要求的提前 ${hours} 小时通知团队。`,
        `Less than ${hours} h before the start: the runbook's ${hours}-hour notice to the team is not met.`,
      ),
    );
  }
  return notices;
}

/** Reminder offsets already past due when the run is scheduled (e.g. 24 h for a start in 2 h): never sent. */
export function remindersTooLate(deps: RunsDeps, startAt: Date): number[] {
  return scheduleOf(deps).remindersMs.filter((ms) => startAt.getTime() - ms <= deps.now());
}

/**
 * On the approval that meets the quorum: a run with a start still ahead waits as `scheduled` (it holds its
 * target), the chat gets a notice, and the delayed start job is queued after commit. Returns the start, if held.
 */
export async function holdUntilStart(
  deps: RunsDeps,
  tx: PoolClient,
  run: RunRow,
  owed: Owed,
): Promise<Date | undefined> {
  const startAt = run.start_at ? new Date(run.start_at) : undefined;
  if (!startAt || startAt.getTime() <= deps.now()) return undefined;
  const moved = await transition(tx, run.id, ['awaiting_approval'], 'scheduled', {
    approved_at: new Date(deps.now()),
  });
  if (!moved) return undefined;
  const view = await loadRunView(tx, run.id);
  if (view) {
    const when = formatStart(startAt, zoneOf(deps.policy));
    const text = t(
      `已批准，回滚「${view.title['zh-CN']}」（目标 ${view.targetId}）计划于 ${when} 开始；开始前会先复查状态。发送 /rollback cancel 可取消。`,
      `Approved: the rollback "${view.title['en-US']}" on ${view.targetId} is scheduled for ${when}; the state is re-checked before it starts. Send /rollback cancel to call it off.`,
    );
    await owed.thread(view, run.chat_id, { render: 'text', text }, `${run.id}-scheduled`);
  }
  return startAt;
}

/** Start a scheduled run whose time has come: `scheduled` → `queued` (guarded: once), then the execute job. */
export async function startScheduled(deps: RunsDeps, runId: string): Promise<boolean> {
  const owed: { o?: Owed } = {};
  const started = await inTransaction(deps.pool, async (tx) => {
    const run = await getRun(tx, runId, true);
    if (run?.state !== 'scheduled') return false;
    if (run.start_at && new Date(run.start_at).getTime() > deps.now()) return false;
    if (!(await transition(tx, runId, ['scheduled'], 'queued'))) return false;
    const view = await loadRunView(tx, runId);
    if (view) {
      owed.o = new Owed(tx);
      await owed.o.runCard(view, run.chat_id, 'patch', `${runId}-start`);
    }
    return true;
  });
  const warn = (error: unknown) => deps.log.warn({ err: error }, 'trigger failed; the sweep retries');
  if (owed.o) await owed.o.flush(deps.jobs, warn);
  if (started) await deps.jobs.execute(runId).catch(warn);
  return started;
}

/** Post the reminders that are due (each once, even with several sweeps at once). */
async function sendReminders(deps: RunsDeps): Promise<number> {
  const offsets = scheduleOf(deps).remindersMs;
  let sent = 0;
  for (const due of await dueReminders(deps.pool, offsets)) {
    const owed: { o?: Owed } = {};
    await inTransaction(deps.pool, async (tx) => {
      const run = await getRun(tx, due.id, true);
      if (!run?.start_at || !(await markRemindersSent(tx, due.id, offsets, due.offset))) return;
      const view = await loadRunView(tx, due.id);
      if (!view) return;
      const when = formatStart(new Date(run.start_at), zoneOf(deps.policy));
      const left = timeLeftI18n(new Date(run.start_at).getTime() - deps.now());
      const text = t(
        `提醒：回滚「${view.title['zh-CN']}」（目标 ${view.targetId}）将于 ${when} 开始，还有${left['zh-CN']}。`,
        `Reminder: the rollback "${view.title['en-US']}" on ${view.targetId} starts at ${when}, in ${left['en-US']}.`,
      );
      owed.o = new Owed(tx);
      await owed.o.thread(view, run.chat_id, { render: 'text', text }, `${due.id}-remind-${due.offset}`);
      sent++;
    });
    if (owed.o) await owed.o.flush(deps.jobs, (e) => deps.log.warn({ err: e }, 'delivery trigger failed'));
  }
  return sent;
}

/** The sweep's part: reminders owed, and scheduled runs whose start passed (a lost or flushed delayed job). */
export async function sweepSchedule(deps: RunsDeps): Promise<{ reminded: number; started: number }> {
  const reminded = await sendReminders(deps);
  let started = 0;
  for (const runId of await dueScheduledRuns(deps.pool)) if (await startScheduled(deps, runId)) started++;
  return { reminded, started };
}
