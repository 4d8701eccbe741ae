import { checkCard, isPlainObject } from './card-validation.js';
import { badCard, contentTooLong, invalidParam } from './errors.js';

/** Body limits from the patch/create pages: cards and posts 30 KB, text 150 KB (LARK.md §4 "Limits"). */
export const CONTENT_LIMITS: Readonly<Record<string, number>> = {
  text: 150 * 1024,
  post: 30 * 1024,
  interactive: 30 * 1024,
};

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
    if (!isPlainObject(parsed)) throw invalidParam('post content must be a JSON object');
  } else {
    const check = checkCard(parsed);
    if (!check.ok) throw badCard(check.errCode, check.reason);
  }
  return { msgType, content: parsed, rawContent: content };
}
