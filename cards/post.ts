import { isOpenId, neutralizeText } from './escape.js';
import { pick } from './i18n.js';
import type { I18nText, Locale } from './model.js';

/**
 * A bilingual reply as a Lark `post` (rich text) message: one `zh_cn` and one `en_us` body, and the Lark client
 * shows the one matching the reader's language. Pure. Each line of the text is a paragraph of plain `text`
 * elements; model text is neutralised as for text messages, since it often quotes what a person typed.
 */

type PostText = { tag: 'text'; text: string };
type PostAt = { tag: 'at'; user_id: string };
export type PostElement = PostText | PostAt;
export type PostBody = { title: string; content: PostElement[][] };
export type PostContent = { zh_cn: PostBody; en_us: PostBody };
export type PostMessage = { msgType: 'post'; content: PostContent };

/** `{@0}`, `{@1}` … `{@99}` in a reply's text: the people the code names (never text a person typed) as mentions. */
const PERSON = /\{@(\d{1,2})\}/g;

/**
 * One line as post elements: each match of `mentions` whose `idOf` gives an id becomes an `at` element (a match
 * without one stays text), the rest stays text.
 */
function elementsOf(
  line: string,
  mentions: RegExp,
  idOf: (captured: string) => string | undefined,
): PostElement[] {
  const out: PostElement[] = [];
  let last = 0;
  for (const match of line.matchAll(mentions)) {
    const id = idOf(match[1] ?? '');
    if (id === undefined) continue;
    if (match.index > last) out.push({ tag: 'text', text: line.slice(last, match.index) });
    out.push({ tag: 'at', user_id: id });
    last = match.index + match[0].length;
  }
  if (last < line.length) out.push({ tag: 'text', text: line.slice(last) });
  return out;
}

function withPeople(line: string, people: readonly string[]): PostElement[] {
  return elementsOf(line, PERSON, (n) => {
    const id = people[Number(n)];
    return id !== undefined && isOpenId(id) ? id : undefined;
  });
}

function body(text: string, title: string, people: readonly string[] = []): PostBody {
  const lines = neutralizeText(text).split('\n');
  return {
    title: neutralizeText(title),
    content: lines.map((line) => (line === '' ? [] : withPeople(line, people))),
  };
}

/**
 * Both languages of `text` (and of an optional title) as one post message; `{@N}` in the text mentions
 * `people[N]` (an open id the code supplies), so the person is notified and shown by name.
 */
export function postMessage(text: I18nText, title?: I18nText, people: readonly string[] = []): PostMessage {
  const lang = (l: Locale) => body(pick(text, l), title ? pick(title, l) : '', people);
  return { msgType: 'post', content: { zh_cn: lang('zh-CN'), en_us: lang('en-US') } };
}

/** `<at user_id="ou_x">Name</at>` (text messages) or `<at id=ou_x></at>` (card markdown). */
const AT_TAG = /<at\s+(?:user_id|id|open_id)\s*=\s*"?([^">\s]+)"?\s*>[^<]*<\/at>/g;

/** One line of a text message as post elements: its mentions become `at` elements, the rest stays text. */
function lineElements(line: string): PostElement[] {
  return elementsOf(line, AT_TAG, (id) => id);
}

/**
 * A post from two texts already made safe for a text message (neutralised by their builder, e.g. the thread
 * lines of cards/thread.ts): nothing is neutralised again, and their `<at …>` mentions become `at` elements,
 * so a mention still notifies.
 */
export function postFromTexts(zh: string, en: string): PostMessage {
  const lang = (text: string): PostBody => ({
    title: '',
    content: text.split('\n').map((line) => (line === '' ? [] : lineElements(line))),
  });
  return { msgType: 'post', content: { zh_cn: lang(zh), en_us: lang(en) } };
}

/**
 * Several posts as one reply, for thread lines that would otherwise each wait for Lark's per-chat pacing: every
 * paragraph of each, in order, per language. A later post's title (thread lines have none) becomes a paragraph.
 */
export function joinPosts(posts: readonly PostMessage[]): PostMessage {
  const lang = (key: keyof PostContent): PostBody => ({
    title: posts[0]?.content[key].title ?? '',
    content: posts.flatMap((p, i) => {
      const title = p.content[key].title;
      return i > 0 && title
        ? [[{ tag: 'text', text: title } as PostElement], ...p.content[key].content]
        : p.content[key].content;
    }),
  });
  return { msgType: 'post', content: { zh_cn: lang('zh_cn'), en_us: lang('en_us') } };
}
