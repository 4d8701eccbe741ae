import { neutralizeText } from './escape.js';
import { pick } from './i18n.js';
import type { I18nText, Locale } from './model.js';

/**
 * A bilingual reply as a Lark `post` (rich text) message: one `zh_cn` and one `en_us` body, and the Lark client
 * shows the one matching the reader's language. Pure. Each line of the text is a paragraph of plain `text`
 * elements; model text is neutralised as for text messages, since it often quotes what a person typed.
 */

type PostText = { tag: 'text'; text: string };
export type PostBody = { title: string; content: PostText[][] };
export type PostContent = { zh_cn: PostBody; en_us: PostBody };
export type PostMessage = { msgType: 'post'; content: PostContent };

function body(text: string, title: string): PostBody {
  const lines = neutralizeText(text).split('\n');
  return {
    title: neutralizeText(title),
    content: lines.map((line) => (line === '' ? [] : [{ tag: 'text', text: line }])),
  };
}

/** Both languages of `text` (and of an optional title) as one post message. */
export function postMessage(text: I18nText, title?: I18nText): PostMessage {
  const lang = (l: Locale) => body(pick(text, l), title ? pick(title, l) : '');
  return { msgType: 'post', content: { zh_cn: lang('zh-CN'), en_us: lang('en-US') } };
}
