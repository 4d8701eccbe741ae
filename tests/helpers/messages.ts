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

/** A step line's stamp: `▶ 10:32:05 · T+00:12 · …` (cards/thread.ts). */
const STAMPED = /^\S+ [\d:-]{8} · T\+/;
/** The note a re-run's started line carries above it (cards/thread.ts `rerunAfterLoss`). */
const RERUN_NOTE = /^⚠ /;

/**
 * A run's thread as the lines the bot owed it, one entry per step line, summary or note, in order. Step lines
 * owed at once may share one reply (issue 13), each keeping its own stamp: a stamped paragraph (or a re-run
 * note right above one) starts a new entry, and the paragraphs under it (output tail, what the step said)
 * stay with it. A reply without step lines is one entry.
 */
export function threadEntries(
  messages: readonly { msgType: string; content: unknown }[],
  locale: 'en_us' | 'zh_cn' = 'en_us',
): string[] {
  const entries: string[] = [];
  for (const message of messages) {
    if (message.msgType === 'interactive') continue;
    const text = message.msgType === 'post' ? postText(message, locale) : textOf(message);
    const paragraphs = text.split('\n');
    if (!paragraphs.some((p) => STAMPED.test(p))) {
      entries.push(text);
      continue;
    }
    let current: string[] = [];
    for (const [i, p] of paragraphs.entries()) {
      const starts =
        (STAMPED.test(p) && !RERUN_NOTE.test(paragraphs[i - 1] ?? '')) ||
        (RERUN_NOTE.test(p) && STAMPED.test(paragraphs[i + 1] ?? ''));
      if (starts && current.length) {
        entries.push(current.join('\n'));
        current = [];
      }
      current.push(p);
    }
    if (current.length) entries.push(current.join('\n'));
  }
  return entries;
}
