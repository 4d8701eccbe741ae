import type { CardElement } from './elements.js';
import { codeSpan, escapeMarkdown } from './escape.js';
import { localize, markdown, pick } from './i18n.js';
import type { I18nText, Locale, RunView } from './model.js';

/**
 * "What to run next": the runbooks that fit the state a run left (computed by src/runs/next-steps.ts into
 * `view.nextSteps`), each as a command ready to send and why. Shown on the summary card of a failed or cancelled
 * run and on an approval card whose preflight refused. No element at all when there is nothing to suggest.
 */

const HEADING: I18nText = {
  'zh-CN': '👉 **下一步可以运行**（在群里 @机器人 并发送）：',
  'en-US': '👉 **What to run next** (send it in this chat, mentioning the bot):',
};

/** At most this many suggestions are shown (cards have a size budget). */
const MAX_SHOWN = 4;

function lines(view: RunView, l: Locale): string {
  const shown = (view.nextSteps ?? []).slice(0, MAX_SHOWN);
  return [
    pick(HEADING, l),
    ...shown.map((s) => `- ${codeSpan(s.command)} — ${escapeMarkdown(pick(s.why, l))}`),
  ].join('\n');
}

export function nextStepsElements(view: RunView, locale: Locale): CardElement[] {
  if (!view.nextSteps?.length) return [];
  return [
    markdown(
      localize((l) => lines(view, l)),
      locale,
    ),
  ];
}
