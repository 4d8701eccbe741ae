/** Helpers to look inside built cards without depending on their layout. */

type Node = Record<string, unknown>;

function* nodes(value: unknown): Generator<Node> {
  if (Array.isArray(value)) {
    for (const v of value) yield* nodes(v);
  } else if (value !== null && typeof value === 'object') {
    yield value as Node;
    for (const v of Object.values(value)) yield* nodes(v);
  }
}

export function buttons(card: unknown): Node[] {
  return [...nodes(card)].filter((n) => n.tag === 'button');
}

/** The callback value of each button, in order. */
export function callbackValues(card: unknown): unknown[] {
  return buttons(card).map((b) => {
    const behaviors = b.behaviors as Array<{ type: string; value: unknown }>;
    return behaviors.find((x) => x.type === 'callback')?.value;
  });
}

/** Every markdown text: `content` and each `i18n_content` language. */
export function markdownTexts(card: unknown): string[] {
  const out: string[] = [];
  for (const n of nodes(card)) {
    if (n.tag !== 'markdown') continue;
    out.push(String(n.content));
    const i18n = n.i18n_content as Record<string, string> | undefined;
    if (i18n) out.push(...Object.values(i18n));
  }
  return out;
}

/** Every text of every kind (plain and markdown), for "mentions X" checks. */
export function allTexts(card: unknown): string {
  return markdownTexts(card).join('\n');
}

/** Decodes `&#NN;` entities, as Lark does when rendering markdown. */
export function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}
