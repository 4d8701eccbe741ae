import { checkCard, isPlainObject } from './card-validation.js';
import { badCard, contentTooLong, invalidParam } from './errors.js';

/** Body limits from the patch/create pages: cards and posts 30 KB, text 150 KB (LARK.md §4 "Limits"). */
export const CONTENT_LIMITS: Readonly<Record<string, number>> = {
  text: 150 * 1024,
  post: 30 * 1024,
  interactive: 30 * 1024,
  /** `{"file_key": …}` after an upload; the key must name a file this app uploaded. */
  file: 1024,
};

/** Post elements Lark knows (rich text, LARK.md / the message-content page). */
const POST_TAGS = ['text', 'a', 'at', 'img', 'media', 'emotion', 'hr', 'code_block', 'md'];
/** Language keys a post may carry; the client shows the reader's own, falling back to another. */
const POST_LOCALES = /^[a-z]{2}_[a-z]{2}$/;

export const SUPPORTED_MSG_TYPES: readonly string[] = Object.keys(CONTENT_LIMITS);

export interface ParsedContent {
  msgType: string;
  content: unknown;
  rawContent: string;
}

/**
 * Validates `msg_type` + `content` the way Lark does and returns the parsed content, or throws the LarkApiError
 * Lark would answer. `content` must be a JSON *string*: a common bot bug is sending the object itself.
 */
export function parseMessageContent(msgType: unknown, content: unknown): ParsedContent {
  if (typeof msgType !== 'string' || !SUPPORTED_MSG_TYPES.includes(msgType)) {
    throw invalidParam(`msg_type must be one of ${SUPPORTED_MSG_TYPES.join(', ')} in the sandbox`);
  }
  if (typeof content !== 'string') throw invalidParam('content must be a JSON string');
  const bytes = Buffer.byteLength(content, 'utf8');
  const limit = CONTENT_LIMITS[msgType] ?? 0;
  if (bytes > limit) throw contentTooLong(bytes, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw invalidParam('content is not valid JSON');
  }
  if (msgType === 'text') {
    if (!isPlainObject(parsed) || typeof parsed.text !== 'string' || parsed.text.trim() === '') {
      throw invalidParam('text content must be {"text": "<non-empty string>"}');
    }
  } else if (msgType === 'post') {
    checkPost(parsed);
  } else if (msgType === 'file') {
    if (!isPlainObject(parsed) || typeof parsed.file_key !== 'string' || parsed.file_key === '') {
      throw invalidParam('file content must be {"file_key": "<key from POST /open-apis/im/v1/files>"}');
    }
  } else {
    const check = checkCard(parsed);
    if (!check.ok) throw badCard(check.errCode, check.reason);
  }
  return { msgType, content: parsed, rawContent: content };
}

/**
 * `{"zh_cn": {"title": "…", "content": [[{"tag": "text", "text": "…"}, …], …]}, "en_us": {…}}`: one body per
 * language, each a list of paragraphs of elements. The webhook form wrapped in `{"post": …}` is refused, as
 * the message API refuses it.
 */
function checkPost(parsed: unknown): void {
  if (!isPlainObject(parsed)) throw invalidParam('post content must be a JSON object');
  const locales = Object.keys(parsed);
  if (locales.length === 0 || !locales.every((l) => POST_LOCALES.test(l))) {
    throw invalidParam('post content must be keyed by language, e.g. {"zh_cn": {…}, "en_us": {…}}');
  }
  for (const locale of locales) {
    const body = parsed[locale];
    if (!isPlainObject(body) || !Array.isArray(body.content)) {
      throw invalidParam(`post ${locale} must be {"title", "content": [[…]]}`);
    }
    if (body.title !== undefined && typeof body.title !== 'string') {
      throw invalidParam(`post ${locale}.title must be a string`);
    }
    for (const paragraph of body.content) {
      if (!Array.isArray(paragraph))
        throw invalidParam(`post ${locale}.content must be a list of paragraphs`);
      for (const el of paragraph) {
        if (!isPlainObject(el) || typeof el.tag !== 'string' || !POST_TAGS.includes(el.tag)) {
          throw invalidParam(`post ${locale} has an element with an unknown tag`);
        }
        if ((el.tag === 'text' || el.tag === 'md') && typeof el.text !== 'string') {
          throw invalidParam(`post ${locale}: a ${el.tag} element needs a string text`);
        }
      }
    }
  }
}
