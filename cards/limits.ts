/**
 * Every size limit the card builders honour, in one table (vercel/chat keeps Slack's the same way).
 * Only display text is ever shortened; identifiers (run id, plan hash, step idx in callback values,
 * the run id in the export hint) are kept whole, and a card that still does not fit throws
 * {@link CardTooLargeError}.
 */
export const LIMITS = {
  /** Lark rejects a card (create / reply / patch / delayed update) over 30 KB. Measured on the wire form. */
  cardBytes: 30 * 1024,
  /** Card JSON 2.0: at most 200 elements and components per card (feishu card-json-v2-structure). */
  cardElements: 200,
  /** Card JSON 2.0 button text: at most 100 characters. */
  buttonTextChars: 100,
  /** Header title / subtitle, in characters. */
  headerChars: 120,
  /** A text message is allowed 150 KB; a thread reply stays far below that. */
  textMessageChars: 8_000,
  /** One piece of model text (step title, target, reason) in a thread reply. */
  threadTextChars: 300,
  /** Output tail in a thread reply (lines / UTF-8 bytes). */
  threadTailLines: 20,
  threadTailBytes: 2048,
  /** Lark open ids are `ou_` + 32 hex; anything longer is not a real id and is never turned into a mention. */
  openIdChars: 64,
  /**
   * A post (create / reply) over 30 KB is refused. Several thread lines joined into one reply stay under this,
   * measured on the wire form, with room left for the rest of the request body (msg_type, uuid).
   */
  joinedPostBytes: 30 * 1024 - 512,
} as const;

/** How much display detail a card may carry. Builders try each level in turn until the card fits. */
export interface Detail {
  /** Maximum characters of one piece of user/runbook text (titles, param values, preflight detail…). */
  textChars: number;
  /** Output tail shown in a card: last lines / UTF-8 bytes. */
  tailLines: number;
  tailBytes: number;
  /** How many failed steps show their output tail. */
  maxTails: number;
  /** Steps listed; the rest are summarised as "… N more". */
  maxSteps: number;
  /** Params, preflight lines, notices, approvers listed. */
  maxItems: number;
}

export const DETAIL_LEVELS: readonly Detail[] = [
  { textChars: 300, tailLines: 20, tailBytes: 2048, maxTails: 3, maxSteps: 50, maxItems: 20 },
  { textChars: 120, tailLines: 10, tailBytes: 1024, maxTails: 2, maxSteps: 30, maxItems: 10 },
  { textChars: 60, tailLines: 5, tailBytes: 512, maxTails: 1, maxSteps: 15, maxItems: 5 },
  { textChars: 30, tailLines: 0, tailBytes: 0, maxTails: 0, maxSteps: 8, maxItems: 3 },
];

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Size of a card as it travels: create / reply / patch carry the card as a JSON *string* inside the body,
 * so quotes and backslashes are escaped once more. This is stricter than `JSON.stringify(card)`.
 */
export function cardBytes(card: unknown): number {
  return utf8Bytes(JSON.stringify(JSON.stringify(card)));
}

/** Counts every object with a `tag` (components and text elements alike), as Lark's 200-element rule does. */
export function countElements(node: unknown): number {
  if (Array.isArray(node)) return node.reduce<number>((n, item) => n + countElements(item), 0);
  if (node === null || typeof node !== 'object') return 0;
  let n = 'tag' in node ? 1 : 0;
  for (const value of Object.values(node)) n += countElements(value);
  return n;
}

/** Shortens display text to `max` code points, marking the cut with an ellipsis. Never use on identifiers. */
export function truncateText(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  if (max <= 1) return '…';
  return `${points.slice(0, max - 1).join('')}…`;
}

export interface Tail {
  text: string;
  /** Lines actually kept. */
  lines: number;
  /** True when earlier output was dropped. */
  truncated: boolean;
}

/** The last `maxLines` lines of `output`, cut further from the front to at most `maxBytes` UTF-8 bytes. */
export function tailOutput(output: string, maxLines: number, maxBytes: number): Tail {
  const all = output.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  if (maxLines <= 0 || maxBytes <= 0 || output.length === 0) {
    return { text: '', lines: 0, truncated: output.length > 0 };
  }
  let lines = all.slice(-maxLines);
  let truncated = lines.length < all.length;
  let text = lines.join('\n');
  if (utf8Bytes(text) > maxBytes) {
    truncated = true;
    // Drop whole lines first, then code points of the (single, long) first line that is left.
    while (lines.length > 1 && utf8Bytes(lines.join('\n')) > maxBytes) lines = lines.slice(1);
    const points = Array.from(lines.join('\n'));
    let start = 0;
    let bytes = utf8Bytes(points.join(''));
    while (bytes > maxBytes && start < points.length) {
      bytes -= utf8Bytes(points[start] ?? '');
      start += 1;
    }
    text = points.slice(start).join('');
    lines = text.split('\n');
  }
  return { text, lines: text === '' ? 0 : lines.length, truncated };
}
