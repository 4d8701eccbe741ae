import { wallClockAt } from '../../cards/format.js';
import type { I18nText } from '../../cards/model.js';
import type { Runbook } from '../runbooks/types.js';

/** Minutes past midnight of `at` in `timezone`. */
function minutesIn(timezone: string, at: number): number {
  const [, , , hour, minute] = wallClockAt(at, timezone);
  return hour * 60 + minute;
}

/** Whether `at` falls in a window like `02:00-04:00` (which may wrap past midnight). */
export function inWindow(window: string, timezone: string, at: number): boolean {
  const [from = 0, to = 0] = window.split('-').map((hm) => {
    const [h = 0, m = 0] = hm.split(':').map(Number);
    return h * 60 + m;
  });
  const now = minutesIn(timezone, at);
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

/** The seed's advice, as warnings on the approval card. */
export function requestNotices(
  runbook: Runbook,
  window: { text: string; timezone: string } | undefined,
  at: number,
): I18nText[] {
  const notices: I18nText[] = [];
  // A read-only runbook (one that needs no approval, e.g. precheck) changes nothing: the window does not apply.
  const changes = runbook.approval?.required !== false;
  if (changes && window && !inWindow(window.text, window.timezone, at)) {
    notices.push({
      'zh-CN': `当前不在推荐的回滚窗口（${window.text}，${window.timezone}）内：请预留 3 倍操作时间，并通知团队。`,
      'en-US': `Outside the recommended rollback window (${window.text}, ${window.timezone}): allow 3× the operation time and tell the team.`,
    });
  }
  if (runbook.backupSkipped) {
    notices.push({
      'zh-CN': `此回滚流程在回滚前不做备份：${runbook.backupSkipped}`,
      'en-US': `This runbook downgrades without a backup: ${runbook.backupSkipped}`,
    });
  }
  return notices;
}
