import type { LarkCard } from './elements.js';
import { pick } from './i18n.js';
import type { I18nText, Locale } from './model.js';

/** The answer to a `card.action.trigger` callback (LARK.md §3.1): an optional toast and an optional new card. */

export type ToastType = 'success' | 'info' | 'warning' | 'error';

export type Toast = {
  type: ToastType;
  content: string;
  i18n: { zh_cn: string; en_us: string };
};

export type CardResponse = {
  toast?: Toast;
  card?: { type: 'raw'; data: LarkCard };
};

/** A toast in `locale`, with both languages in `i18n`. Toasts are plain text: no escaping needed. */
export function toast(type: ToastType, text: I18nText, locale: Locale): Toast {
  return {
    type,
    content: pick(text, locale),
    i18n: { zh_cn: pick(text, 'zh-CN'), en_us: pick(text, 'en-US') },
  };
}

/**
 * The HTTP body answering a card click. `{}` (neither) means "acknowledged, card unchanged". The card goes
 * as an object (`type: 'raw'`), as the Go and Python SDK types have it.
 */
export function cardResponse(t?: Toast, card?: LarkCard): CardResponse {
  const res: CardResponse = {};
  if (t) res.toast = t;
  if (card) res.card = { type: 'raw', data: card };
  return res;
}
