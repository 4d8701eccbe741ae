import type { I18nText, PlanChange, PreflightLine } from '../../cards/model.js';

/** What the approvers saw against what a re-check sees now, per binding preflight line that changed. */

const asText = (detail: string | I18nText, ok: boolean): I18nText => {
  const text = typeof detail === 'string' ? { 'zh-CN': detail, 'en-US': detail } : detail;
  return ok ? text : { 'zh-CN': `失败：${text['zh-CN']}`, 'en-US': `failed: ${text['en-US']}` };
};

const key = (t: I18nText) => t['en-US'];

export function planChangesOf(before: readonly PreflightLine[], now: readonly PreflightLine[]): PlanChange[] {
  const seen = new Map(before.map((l) => [l.id, l]));
  const changes: PlanChange[] = [];
  for (const line of now) {
    const old = seen.get(line.id);
    const after = asText(line.detail, line.ok);
    const was = old ? asText(old.detail, old.ok) : { 'zh-CN': '（未记录）', 'en-US': '(not recorded)' };
    if (old && key(was) === key(after)) continue;
    changes.push({ title: line.title, before: was, after });
  }
  return changes;
}

/** The thread's line: what changed, from what to what, that nothing ran, and that a new approval is needed. */
export function planChangesText(changes: readonly PlanChange[]): I18nText {
  const zh = changes.map((c) => `${c.title['zh-CN']}：${c.before['zh-CN']} → ${c.after['zh-CN']}`);
  const en = changes.map((c) => `${c.title['en-US']}: ${c.before['en-US']} → ${c.after['en-US']}`);
  const what = { zh: zh.length ? `${zh.join('；')}。` : '', en: en.length ? `${en.join('; ')}. ` : '' };
  return {
    'zh-CN': `执行前复查发现批准后状态已变化，未执行任何变更步骤。${what.zh}之前的批准已作废，需要重新审批。`,
    'en-US': `The state changed since approval, so no mutating step ran. ${what.en}Earlier approvals are void; a new approval is needed.`,
  };
}
