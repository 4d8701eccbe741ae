import type { I18nText, Locale } from './model.js';

/**
 * Bilingual text helpers. Cards carry both languages (`i18n_content`, which Lark prefers over `content`);
 * `content` holds the text in `RenderOptions.locale` for clients whose language is neither.
 */

export const LOCALES: readonly Locale[] = ['zh-CN', 'en-US'];

export type LarkI18n = {
  zh_cn: string;
  en_us: string;
};

export type PlainTextElement = {
  tag: 'plain_text';
  content: string;
  i18n_content?: LarkI18n;
};

export type MarkdownElement = {
  tag: 'markdown';
  content: string;
  i18n_content?: LarkI18n;
  text_size?: 'normal' | 'notation' | 'heading';
};

/**
 * The text in locale `l`, falling back to the other language, then to ''. Models arrive as JSON, so a
 * missing language is possible at run time even though the type says otherwise.
 */
/** The English of a text that is either the same in both languages or an I18nText (logs, reasons, matching). */
export function inEnglish(text: string | I18nText): string {
  return typeof text === 'string' ? text : text['en-US'];
}

export function pick(text: I18nText | undefined, l: Locale): string {
  if (!text) return '';
  const other: Locale = l === 'zh-CN' ? 'en-US' : 'zh-CN';
  const own = text[l] as string | undefined;
  if (typeof own === 'string' && own !== '') return own;
  const fallback = text[other] as string | undefined;
  return typeof fallback === 'string' ? fallback : '';
}

export function toLarkI18n(text: I18nText): LarkI18n {
  return { zh_cn: pick(text, 'zh-CN'), en_us: pick(text, 'en-US') };
}

/** Renders once per locale. */
export function localize(render: (l: Locale) => string): I18nText {
  return { 'zh-CN': render('zh-CN'), 'en-US': render('en-US') };
}

/** The same text in both languages (identifiers, numbers). */
export function same(text: string): I18nText {
  return { 'zh-CN': text, 'en-US': text };
}

/**
 * Fills `{name}` placeholders in a single pass, so text inserted for one placeholder is never scanned for
 * another. Values must already be escaped for their destination (markdown or plain text).
 */
export function fill(template: I18nText, vars: Record<string, string | I18nText>): I18nText {
  return localize((l) =>
    pick(template, l).replace(/\{(\w+)\}/g, (whole, name: string) => {
      const v = vars[name];
      if (v === undefined) return whole;
      return typeof v === 'string' ? v : pick(v, l);
    }),
  );
}

/** `{tag:'plain_text', content, i18n_content}`; a bare string gets no i18n_content. */
export function plainText(text: I18nText | string, locale: Locale): PlainTextElement {
  if (typeof text === 'string') return { tag: 'plain_text', content: text };
  return { tag: 'plain_text', content: pick(text, locale), i18n_content: toLarkI18n(text) };
}

/** `{tag:'markdown', content, i18n_content}`; the text must already be escaped where it holds user text. */
export function markdown(
  text: I18nText | string,
  locale: Locale,
  textSize?: MarkdownElement['text_size'],
): MarkdownElement {
  const el: MarkdownElement =
    typeof text === 'string'
      ? { tag: 'markdown', content: text }
      : { tag: 'markdown', content: pick(text, locale), i18n_content: toLarkI18n(text) };
  if (textSize) el.text_size = textSize;
  return el;
}

export { RUN_STATE, STEP_STATE, UI } from './strings.js';
