import type { I18nText } from '../../cards/model.js';

/**
 * A parameter's pattern described for people, in both languages, instead of the regex itself:
 * `^(yes|no)$` → "yes or no"; `^(-1|base|[0-9a-f]{12})$` → "-1, base or 12 hex digits". Understands literal
 * alternatives and simple sequences of character classes with counts; anything else gets a general wording.
 */

type Part = { kind: 'literal'; text: string } | { kind: 'class'; zh: string; en: string; count: Count };
type Count = { min: number; max: number };

const CLASS_NAMES: Array<{ test: RegExp; zh: string; en: string }> = [
  { test: /^(0-9|\\d)$/, zh: '数字', en: 'digits' },
  { test: /^(0-9a-f|a-f0-9|0-9a-fA-F|0-9A-Fa-f)$/, zh: '十六进制数字', en: 'hex digits' },
  { test: /^(a-z|A-Z|a-zA-Z|A-Za-z)$/, zh: '字母', en: 'letters' },
  { test: /^(A-Za-z0-9|a-zA-Z0-9|a-z0-9|0-9a-z|A-Z0-9)$/, zh: '字母或数字', en: 'letters or digits' },
];

function className(body: string): { zh: string; en: string } {
  for (const c of CLASS_NAMES) if (c.test.test(body)) return { zh: c.zh, en: c.en };
  // `A-Za-z0-9._-`: the named part, plus the punctuation listed one by one.
  const named = /^(A-Za-z0-9|a-zA-Z0-9|a-z0-9|0-9)/.exec(body);
  if (named?.[1]) {
    const extra = [...body.slice(named[1].length).replace(/\\/g, '')];
    const base = className(named[1]);
    if (extra.length > 0 && extra.every((ch) => /[._\-+:@/]/.test(ch))) {
      return { zh: `${base.zh}或 ${extra.join(' ')}`, en: `${base.en} or ${extra.join(' ')}` };
    }
  }
  throw new Error('not a known class');
}

function parseCount(rest: string): { count: Count; used: number } {
  const m = /^(?:\{(\d+)(?:,(\d*))?\}|([+*?]))/.exec(rest);
  if (!m) return { count: { min: 1, max: 1 }, used: 0 };
  if (m[3] === '+') return { count: { min: 1, max: Number.POSITIVE_INFINITY }, used: 1 };
  if (m[3] === '*') return { count: { min: 0, max: Number.POSITIVE_INFINITY }, used: 1 };
  if (m[3] === '?') return { count: { min: 0, max: 1 }, used: 1 };
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  return { count: { min, max }, used: m[0].length };
}

function parseSequence(alt: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < alt.length) {
    const ch = alt[i] ?? '';
    if (ch === '[') {
      const end = alt.indexOf(']', i + 1);
      if (end < 0) throw new Error('unclosed class');
      const names = className(alt.slice(i + 1, end));
      const { count, used } = parseCount(alt.slice(end + 1));
      parts.push({ kind: 'class', ...names, count });
      i = end + 1 + used;
    } else if (ch === '\\' && alt[i + 1] === 'd') {
      const { count, used } = parseCount(alt.slice(i + 2));
      parts.push({ kind: 'class', zh: '数字', en: 'digits', count });
      i += 2 + used;
    } else if (ch === '\\' && alt[i + 1] && /[^A-Za-z0-9]/.test(alt[i + 1] ?? '')) {
      pushLiteral(parts, alt[i + 1] ?? '');
      i += 2;
    } else if (/[A-Za-z0-9 _\-:./@]/.test(ch) && !/^[{+*?]/.test(alt.slice(i + 1))) {
      pushLiteral(parts, ch);
      i += 1;
    } else {
      throw new Error(`cannot describe ${alt}`);
    }
  }
  return parts;
}

function pushLiteral(parts: Part[], ch: string) {
  const last = parts.at(-1);
  if (last?.kind === 'literal') last.text += ch;
  else parts.push({ kind: 'literal', text: ch });
}

function countText(c: Count): { zh: string; en: string } {
  if (c.max === Number.POSITIVE_INFINITY)
    return c.min <= 1 ? { zh: '若干', en: 'one or more' } : { zh: `至少 ${c.min}`, en: `at least ${c.min}` };
  if (c.min === c.max) return { zh: `${c.min} 位`, en: String(c.min) };
  return { zh: `${c.min}–${c.max} 位`, en: `${c.min}–${c.max}` };
}

function describeSequence(parts: Part[]): I18nText {
  const zh: string[] = [];
  const en: string[] = [];
  for (const p of parts) {
    if (p.kind === 'literal') {
      zh.push(p.text);
      en.push(p.text);
    } else {
      const n = countText(p.count);
      zh.push(`${n.zh}${p.zh}`);
      en.push(`${n.en} ${p.en}`);
    }
  }
  if (parts.length === 1) return { 'zh-CN': zh[0] ?? '', 'en-US': en[0] ?? '' };
  return { 'zh-CN': zh.join('，后接 '), 'en-US': en.join(', then ') };
}

/** Top-level `|` alternatives of an anchored pattern, or undefined when it has groups we do not read. */
function alternatives(pattern: string): string[] | undefined {
  let p = pattern;
  for (;;) {
    const before = p;
    if (p.startsWith('^')) p = p.slice(1);
    if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
    const group = /^\((?:\?:)?(.*)\)$/.exec(p);
    if (group && wraps(p)) p = group[1] ?? '';
    if (p === before) break;
  }
  if (/[()]/.test(p)) return undefined;
  return p.split('|');
}

/** True when the `(` at 0 closes at the very end (so the group wraps the whole pattern). */
function wraps(p: string): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '(') depth++;
    else if (p[i] === ')' && --depth === 0) return i === p.length - 1;
  }
  return false;
}

function joinAlternatives(items: I18nText[]): I18nText {
  const zh = items.map((t) => t['zh-CN']);
  const en = items.map((t) => t['en-US']);
  const list = (xs: string[], sep: string, last: string) =>
    xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(sep)}${last}${xs.at(-1)}`;
  return { 'zh-CN': list(zh, '、', ' 或 '), 'en-US': list(en, ', ', ' or ') };
}

export function describePattern(pattern: string): I18nText {
  try {
    const alts = alternatives(pattern);
    if (!alts || alts.some((a) => a === '')) throw new Error('empty');
    return joinAlternatives(alts.map((a) => describeSequence(parseSequence(a))));
  } catch {
    return { 'zh-CN': '该回滚流程规定的格式', 'en-US': 'the form the runbook expects' };
  }
}
