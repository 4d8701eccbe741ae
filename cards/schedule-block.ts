import type { CardElement } from './elements.js';
import { formatDateTimeZoned } from './format.js';
import { fill, markdown } from './i18n.js';
import type { I18nText, RenderOptions, RunView } from './model.js';

/** A scheduled run's start time (issue 14), in TIMEZONE, for the card while it waits. No I/O. */

const STARTS_AT: I18nText = {
  'zh-CN': '⏰ **计划开始**：{when}（开始前会复查状态；发送 /rollback cancel 可取消）',
  'en-US': '⏰ **Starts at:** {when} (the state is re-checked first; send /rollback cancel to call it off)',
};

export function scheduleBlock(view: RunView, opts: RenderOptions): CardElement[] {
  if (view.state !== 'scheduled' || !view.startAt) return [];
  const when = formatDateTimeZoned(view.startAt, opts.timezone);
  return [markdown(fill(STARTS_AT, { when }), opts.locale)];
}
