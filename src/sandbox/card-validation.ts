/**
 * The card checks Lark makes before it accepts a card (LARK.md §4, §5.4). Card JSON 2.0 is strict about
 * top-level properties (1.0 ignored unknown ones), and only shared cards (`update_multi: true`) can be patched,
 * so the sandbox refuses what Lark would refuse instead of letting the bot find out in production.
 */

export type CardCheck =
  | { ok: true; card: Record<string, unknown>; schema: '2.0' | '1.0' }
  | { ok: false; errCode: number; reason: string };

/** Top-level properties a 2.0 card may have; anything else is Lark's error 200621 "unknown property". */
export const V2_TOP_LEVEL_KEYS: readonly string[] = ['schema', 'config', 'card_link', 'header', 'body'];

/** Lark reports structural card problems under ErrCode 11310 (seen in real 230099 answers). */
const STRUCTURE = 11310;
const UNKNOWN_PROPERTY = 200621;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(errCode: number, reason: string): CardCheck {
  return { ok: false, errCode, reason };
}

export function checkCard(value: unknown): CardCheck {
  if (!isPlainObject(value)) return fail(STRUCTURE, 'card must be a JSON object');
  if ('type' in value && 'data' in value) {
    return fail(STRUCTURE, 'template / card_id references are not supported by the sandbox');
  }
  if (!('schema' in value)) return checkLegacyCard(value);
  if (value.schema !== '2.0') return fail(STRUCTURE, `unsupported schema ${JSON.stringify(value.schema)}`);
  return checkV2Card(value);
}

function checkV2Card(card: Record<string, unknown>): CardCheck {
  for (const key of Object.keys(card)) {
    if (!V2_TOP_LEVEL_KEYS.includes(key)) return fail(UNKNOWN_PROPERTY, `unknown property: ${key}`);
  }
  if ('config' in card) {
    if (!isPlainObject(card.config)) return fail(STRUCTURE, 'config must be an object');
    // 2.0 cards are always shared; Lark rejects an explicit false.
    if ('update_multi' in card.config && card.config.update_multi !== true) {
      return fail(STRUCTURE, 'config.update_multi only supports true in schema 2.0');
    }
  }
  if ('header' in card && !isPlainObject(card.header)) return fail(STRUCTURE, 'header must be an object');
  if ('card_link' in card && !isPlainObject(card.card_link)) {
    return fail(STRUCTURE, 'card_link must be an object');
  }
  if (!isPlainObject(card.body)) return fail(STRUCTURE, 'body must be an object');
  const elementsError = checkElements(card.body.elements, 'body.elements');
  if (elementsError) return fail(STRUCTURE, elementsError);
  return { ok: true, card, schema: '2.0' };
}

/** Legacy 1.0 cards are accepted only as shared cards, because the bot's cards are all patched later. */
function checkLegacyCard(card: Record<string, unknown>): CardCheck {
  if (!isPlainObject(card.config) || card.config.update_multi !== true) {
    return fail(STRUCTURE, 'a schema 1.0 card needs config.update_multi: true to be updatable');
  }
  if (!('elements' in card) && !('i18n_elements' in card)) {
    return fail(STRUCTURE, 'a schema 1.0 card needs elements or i18n_elements');
  }
  if ('elements' in card) {
    const elementsError = checkElements(card.elements, 'elements');
    if (elementsError) return fail(STRUCTURE, elementsError);
  }
  return { ok: true, card, schema: '1.0' };
}

function checkElements(elements: unknown, where: string): string | undefined {
  if (!Array.isArray(elements)) return `${where} must be an array`;
  const bad = elements.findIndex((e) => !isPlainObject(e) || typeof e.tag !== 'string');
  return bad >= 0 ? `${where}[${bad}] must be an object with a string tag` : undefined;
}
