/** Reading what the bot sent, whatever its message type. */

type PostBody = { title?: string; content?: Array<Array<{ tag?: string; text?: string; user_id?: string }>> };

/** One language of a post message as plain text: title, then one line per paragraph. */
export function postText(message: { content: unknown }, locale: 'en_us' | 'zh_cn'): string {
  const body = (message.content as Record<string, PostBody | undefined>)[locale];
  if (!body) return '';
  // A mention reads as `@<open_id>` (Lark shows the person's name there).
  const lines = (body.content ?? []).map((p) =>
    p.map((el) => (el.tag === 'at' ? `@${el.user_id ?? ''}` : (el.text ?? ''))).join(''),
  );
  return [...(body.title ? [body.title] : []), ...lines].join('\n');
}

/** Text of a stored message (text: the text; post: its English body, as the harness's LOCALE; cards: the JSON). */
export function textOf(message: { msgType: string; content: unknown }): string {
  if (message.msgType === 'text') return String((message.content as { text?: string }).text ?? '');
  if (message.msgType === 'post') return postText(message, 'en_us');
  return JSON.stringify(message.content);
}
