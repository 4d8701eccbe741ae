// The safe subset of Lark card markdown, rendered to DOM nodes (never through innerHTML):
// **bold**, *italic*, ~~strike~~, `code`, ``` fenced blocks ```, line breaks, - / 1. lists, # headings, ---,
// [links](shown with their href, never followed), <at id=ou_…></at> mentions and | tables | (Card JSON 2.0
// markdown has them: a header row, a |---| row, then rows). Everything else is text,
// with HTML entities decoded the way Lark does (`&#42;` shows as `*`).

import { decodeEntities, h } from './dom.js';

const FENCE = /^\s*```/;
const RULE = /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$/;

/** Markdown source → a `div.md`. `ctx.userName(openId)` names mentions. */
export function renderMarkdown(source, ctx) {
  const root = h('div', { class: 'md' });
  const lines = String(source ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (FENCE.test(line)) {
      const body = [];
      i++;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      root.append(h('pre', { class: 'md-code' }, h('code', null, body.join('\n'))));
    } else if (RULE.test(line)) {
      root.append(h('hr', { class: 'md-rule' }));
      i++;
    } else if (HEADING.test(line)) {
      const [, hashes, text] = HEADING.exec(line);
      root.append(h('div', { class: `md-h md-h${hashes.length}` }, inline(text, ctx)));
      i++;
    } else if (isTableStart(lines, i)) {
      i = table(lines, i, root, ctx);
    } else if (LIST_ITEM.test(line)) {
      i = list(lines, i, root, ctx);
    } else if (line.trim() === '') {
      root.append(h('div', { class: 'md-gap' }));
      i++;
    } else {
      const para = h('div', { class: 'md-p' });
      let first = true;
      while (i < lines.length && isPlainLine(lines[i])) {
        if (!first) para.append(h('br'));
        para.append(...inline(lines[i], ctx));
        first = false;
        i++;
      }
      root.append(para);
    }
  }
  return root;
}

function isPlainLine(line) {
  return (
    line.trim() !== '' &&
    !FENCE.test(line) &&
    !RULE.test(line) &&
    !HEADING.test(line) &&
    !LIST_ITEM.test(line) &&
    !TABLE_ROW.test(line)
  );
}

function isTableStart(lines, i) {
  return TABLE_ROW.test(lines[i]) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]);
}

/** `| a | b |` → cells; a pipe inside a cell is written `&#124;` by the bot, so splitting on `|` is safe. */
const cells = (line) => line.trim().slice(1, -1).split('|');

/** A header row, its rule, then rows while they look like rows; returns the next line index. */
function table(lines, start, root, ctx) {
  const row = (line, tag) =>
    h(
      'tr',
      null,
      cells(line).map((c) => h(tag, null, inline(c.trim(), ctx))),
    );
  const body = h('tbody');
  let i = start + 2;
  while (i < lines.length && TABLE_ROW.test(lines[i])) body.append(row(lines[i++], 'td'));
  root.append(h('table', { class: 'md-table' }, h('thead', null, row(lines[start], 'th')), body));
  return i;
}

/** Consecutive items of one kind (bullets or numbers) become one list; returns the next line index. */
function list(lines, start, root, ctx) {
  const ordered = /\d/.test(LIST_ITEM.exec(lines[start])[2]);
  const el = h(ordered ? 'ol' : 'ul', { class: 'md-list' });
  if (ordered) el.setAttribute('start', String(parseInt(LIST_ITEM.exec(lines[start])[2], 10)));
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || /\d/.test(m[2]) !== ordered) break;
    const depth = Math.min(4, Math.floor(m[1].replace(/\t/g, '  ').length / 2));
    el.append(h('li', { style: depth ? { marginLeft: `${depth * 16}px` } : undefined }, inline(m[3], ctx)));
    i++;
  }
  root.append(el);
  return i;
}

const INLINE = new RegExp(
  [
    '`([^`\\n]+)`', // 1 code
    '\\*\\*(.+?)\\*\\*', // 2 bold
    '~~(.+?)~~', // 3 strike
    '\\*([^*\\s](?:[^*]*?[^*\\s])?)\\*', // 4 italic
    '\\[([^\\]\\n]*)\\]\\(([^)\\s]*)\\)', // 5 text, 6 href
    '<at\\s+(?:id|user_id|open_id)\\s*=\\s*["\']?([^"\'\\s>]+)["\']?\\s*>([^<]*)</at>', // 7 id, 8 name
  ].join('|'),
  'g',
);

/** One line of inline markup → nodes. */
export function inline(text, ctx) {
  const out = [];
  let last = 0;
  const re = new RegExp(INLINE.source, 'g'); // one per call: the parts below recurse
  const source = String(text);
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) out.push(decodeEntities(source.slice(last, m.index)));
    last = re.lastIndex;
    if (m[1] !== undefined) out.push(h('code', { class: 'md-inline-code' }, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', null, inline(m[2], ctx)));
    else if (m[3] !== undefined) out.push(h('s', null, inline(m[3], ctx)));
    else if (m[4] !== undefined) out.push(h('em', null, inline(m[4], ctx)));
    else if (m[5] !== undefined) out.push(link(m[5], m[6], ctx));
    else out.push(mention(m[7], m[8], ctx));
  }
  if (last < source.length) out.push(decodeEntities(source.slice(last)));
  return out;
}

/** A link is shown, with its address, but never followed (no href: this is a sandbox). */
function link(text, href, ctx) {
  const address = decodeEntities(href);
  return h(
    'span',
    { class: 'md-link', title: address },
    h('span', { class: 'md-link-text' }, inline(text, ctx)),
    h('span', { class: 'md-link-href' }, ` (${address})`),
  );
}

export function mention(openId, name, ctx) {
  const id = decodeEntities(openId);
  const shown = name?.trim() ? decodeEntities(name.trim()) : id === 'all' ? 'all' : ctx.userName(id);
  return h('span', { class: 'mention', 'data-open-id': id }, `@${shown}`);
}
