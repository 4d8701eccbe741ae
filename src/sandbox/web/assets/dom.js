// Small DOM helpers. Text only ever goes in through text nodes: nothing here touches innerHTML.

/**
 * h('div', {class: 'x', onclick: fn, 'data-id': id}, child, 'text', [more]) → an element.
 * Strings become text nodes; null/undefined/false children are skipped; arrays are flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const AVATAR_COLOURS = [
  '#3370ff',
  '#34c724',
  '#ff8800',
  '#7f3bf5',
  '#f54a45',
  '#14c0ff',
  '#d136d1',
  '#2ea121',
];

/** A round avatar with the person's initial, coloured by a hash of their id (stable across reloads). */
export function avatar(openId, name, isBot) {
  let hash = 0;
  for (const ch of openId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const colour = isBot ? '#3370ff' : AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
  const initial = (name.trim()[0] ?? '?').toUpperCase();
  return h('div', { class: 'avatar', style: { background: colour }, 'aria-hidden': 'true' }, initial);
}

const pad = (n) => String(n).padStart(2, '0');

/** `10:32` for today, `06-14 10:32` otherwise (the browser's time zone, like the Lark client). */
export function shortTime(ms) {
  const d = new Date(ms);
  const today = new Date();
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === today.toDateString()
    ? hm
    : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

export function fullTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A card field's text in `locale`: its `i18n_content[locale]`, else `content`, else ''. */
export function localized(field, locale) {
  if (field === undefined || field === null) return '';
  if (typeof field === 'string') return field;
  const i18n = field.i18n_content ?? field.i18n;
  const own = i18n && typeof i18n[locale] === 'string' && i18n[locale] !== '' ? i18n[locale] : undefined;
  if (own !== undefined) return own;
  return typeof field.content === 'string' ? field.content : typeof field.text === 'string' ? field.text : '';
}

/** Numeric and the common named HTML entities, which Lark markdown decodes after parsing. */
export function decodeEntities(text) {
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|amp|lt|gt|quot|apos|nbsp);/gi, (whole, code) => {
    if (code[0] !== '#') return named[code.toLowerCase()] ?? whole;
    const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}
