import { LIMITS, truncateText } from './limits.js';

/**
 * Escaping for text that did not come from this module: requester input, runbook titles, parameters,
 * preflight details, redacted process output.
 *
 * Lark card `markdown` elements decode HTML numeric entities after parsing, and the Feishu rich-text
 * documentation prescribes exactly that (`&#42;` for `*` and so on), so each character that could start
 * formatting, a link, an image, a table, an emoji short code or an `<at>` / `<a>` / `<font>` tag becomes an
 * entity. `plain_text` fields need none of this.
 */

/** Bidirectional overrides and isolates: stripped so a name cannot visually reorder the text around it. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Inline formatting, links, images, tables, tags, entities, emoji short codes (`:OK:`) and scheme autolinks.
 * `-`, `+`, `=` and `1.` matter only at the start of a line: see LEADING_BLOCK_MARKER.
 */
const MARKDOWN_SPECIALS = /[&<>*_~`[\]()#\\|!:]/g;

/**
 * A list marker or rule at the very start of the text. User text never starts a line in these cards, but it
 * does follow `1. ` in the numbered step list, where `- x` or `---` would open a nested list or draw a rule.
 */
const LEADING_BLOCK_MARKER = /^(\s*)(?:([-+=])|(\d+)([.)]))/;

const entity = (ch: string) => `&#${ch.charCodeAt(0)};`;

/**
 * Inline markdown escape: every special character becomes `&#NN;`, so does a leading list marker, and line
 * breaks (and other C0 controls) collapse to a single space, so user text can neither start a block
 * (heading, list, quote, code, rule) nor end the line it sits on.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(BIDI_CONTROLS, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(MARKDOWN_SPECIALS, entity)
      .replace(LEADING_BLOCK_MARKER, (_m, space: string, sign?: string, digits?: string, dot?: string) =>
        sign ? `${space}${entity(sign)}` : `${space}${digits ?? ''}${entity(dot ?? '')}`,
      )
  );
}

/** A zero-width space, used where an entity would be shown literally (code blocks, text messages). */
const ZWSP = '\u200b';

/**
 * A fenced code block for output tails. Inside a code block entities are shown literally, so instead:
 * runs of backticks are broken up with zero-width spaces (no line can close the fence), and `<` before a
 * letter, `/`, `!` or `?` gets one too (no `<at id=all>` even if a renderer looks for tags inside code).
 */
export function codeBlock(text: string): string {
  const body = text
    .replace(BIDI_CONTROLS, '')
    .replace(/\r\n?/g, '\n')
    .replace(/`(?=`)/g, `\`${ZWSP}`)
    .replace(/<(?=[A-Za-z/!?])/g, `<${ZWSP}`);
  return `\`\`\`\n${body}\n\`\`\``;
}

/**
 * Defuses text for Lark *text* messages, whose content understands `<at user_id="…">`, `<b>`-style tags and
 * `[label](url)` links: a zero-width space after `<` (before a tag name) and between `]` and `(`.
 */
export function neutralizeText(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/<(?=[A-Za-z/!?])/g, `<${ZWSP}`)
    .replace(/\](?=\()/g, `]${ZWSP}`);
}

/** What a real Lark open id looks like (`ou_` + hex; some tenants and the sandbox use other safe characters). */
const OPEN_ID = /^ou_[A-Za-z0-9_-]+$/;

export function isOpenId(id: string): boolean {
  return id.length <= LIMITS.openIdChars && OPEN_ID.test(id);
}

/**
 * `<at id=ou_…></at>` for a card markdown element. Anything that is not an open id (notably `all`) is shown
 * as escaped text instead, so a forged id can never mention everyone.
 */
export function mention(openId: string): string {
  return isOpenId(openId)
    ? `<at id=${openId}></at>`
    : escapeMarkdown(truncateText(openId, LIMITS.openIdChars));
}

/**
 * A code span for system text (run ids, commands) when it is safe in one; escaped text otherwise (inside a
 * code span entities would show literally, so nothing that needs escaping may go there).
 */
export function codeSpan(text: string): string {
  return /^[A-Za-z0-9_.:@/+=-][A-Za-z0-9_.:@/+= -]*$/.test(text) ? `\`${text}\`` : escapeMarkdown(text);
}
