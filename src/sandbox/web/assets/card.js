// Card JSON 2.0 (and the 1.0 shapes that are easy to read) → DOM, the way the Lark client lays it out:
// a coloured header, then the body's elements top to bottom. Unknown tags show as a grey note.
//
// ctx: { locale: 'zh_cn' | 'en_us', userName(openId), onCallback({value, name, formValue?}) → Promise,
//        confirm(title, text) → Promise<boolean>, notice(text) }

import { h, localized } from './dom.js';
import { renderMarkdown } from './markdown.js';

export const TEMPLATES = [
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
];

const BUTTON_TYPES = [
  'default',
  'primary',
  'danger',
  'text',
  'primary_text',
  'danger_text',
  'primary_filled',
  'danger_filled',
  'laser',
];

export function renderCard(card, ctx) {
  if (!card || typeof card !== 'object') return h('div', { class: 'card' }, unsupported('card'));
  const template = TEMPLATES.includes(card.header?.template) ? card.header.template : 'default';
  const el = h('div', { class: `card tpl-${template}`, 'data-template': template });
  if (card.header) el.append(header(card.header, ctx));
  const elements = card.body?.elements ?? card.elements ?? [];
  el.append(
    h(
      'div',
      { class: 'card-body' },
      elements.map((e) => element(e, ctx)),
    ),
  );
  return el;
}

function header(head, ctx) {
  const tags = Array.isArray(head.text_tag_list) ? head.text_tag_list.slice(0, 3) : [];
  return h(
    'div',
    { class: 'card-header' },
    h(
      'div',
      { class: 'card-title-row' },
      h('span', { class: 'card-title' }, localized(head.title, ctx.locale)),
      tags.map((t) =>
        h('span', { class: `card-tag tag-${safeName(t.color)}` }, localized(t.text ?? t, ctx.locale)),
      ),
    ),
    head.subtitle ? h('div', { class: 'card-subtitle' }, localized(head.subtitle, ctx.locale)) : null,
  );
}

/** One body element. */
export function element(e, ctx) {
  switch (e?.tag) {
    case 'markdown':
    case 'lark_md':
      return markdown(e, ctx);
    case 'plain_text':
      return h('div', { class: `plain ${textClasses(e)}` }, localized(e, ctx.locale));
    case 'div':
      return div(e, ctx);
    case 'note':
      return h(
        'div',
        { class: 'note' },
        (e.elements ?? []).map((x) => (x?.tag === 'img' ? unsupported('img') : textField(x, ctx))),
      );
    case 'hr':
      return h('hr', { class: 'card-hr' });
    case 'column_set':
      return columnSet(e, ctx);
    case 'column':
      return column(e, ctx);
    case 'button':
      return button(e, ctx);
    case 'form':
      return form(e, ctx);
    case 'input':
      return input(e, ctx);
    case 'action': // Card JSON 1.0's button row
      return h(
        'div',
        { class: 'column-set spacing-small' },
        (e.actions ?? []).map((a) => element(a, ctx)),
      );
    default:
      return unsupported(typeof e?.tag === 'string' ? e.tag : 'element without a tag');
  }
}

function unsupported(tag) {
  return h('div', { class: 'unsupported' }, `[unsupported element: ${tag}]`);
}

function safeName(value) {
  return typeof value === 'string' && /^[a-z_]+$/.test(value) ? value : 'default';
}

function textClasses(e) {
  const size = ['notation', 'heading', 'normal'].includes(e.text_size) ? e.text_size : 'normal';
  const align = ['left', 'center', 'right'].includes(e.text_align) ? e.text_align : 'left';
  return `size-${size} align-${align}`;
}

function markdown(e, ctx) {
  const el = renderMarkdown(localized(e, ctx.locale), ctx);
  el.classList.add(...textClasses(e).split(' '));
  return el;
}

/** A `{tag: 'plain_text' | 'lark_md', content}` text object. */
function textField(text, ctx) {
  if (!text || typeof text !== 'object') return null;
  if (text.tag === 'lark_md' || text.tag === 'markdown') return markdown(text, ctx);
  return h('div', { class: `plain ${textClasses(text)}` }, localized(text, ctx.locale));
}

function div(e, ctx) {
  const fields = Array.isArray(e.fields) ? e.fields : [];
  return h(
    'div',
    { class: 'card-div' },
    textField(e.text, ctx),
    fields.length
      ? h(
          'div',
          { class: 'card-fields' },
          fields.map((f) =>
            h('div', { class: f.is_short ? 'field short' : 'field' }, textField(f.text, ctx)),
          ),
        )
      : null,
  );
}

function columnSet(e, ctx) {
  const spacing = ['small', 'medium', 'large'].includes(e.horizontal_spacing)
    ? e.horizontal_spacing
    : 'medium';
  const columns = Array.isArray(e.columns) ? e.columns : [];
  return h(
    'div',
    { class: `column-set spacing-${spacing}` },
    columns.map((c) => (c?.tag === 'column' ? column(c, ctx) : element(c, ctx))),
  );
}

function column(c, ctx) {
  const weight = Number.isFinite(c.weight) ? Math.max(1, Math.min(5, c.weight)) : 1;
  const flex = c.width === 'auto' ? '0 0 auto' : `${c.width === 'weighted' ? weight : 1} 1 0`;
  const align = ['top', 'center', 'bottom'].includes(c.vertical_align) ? c.vertical_align : 'top';
  return h(
    'div',
    { class: `column valign-${align}`, style: { flex } },
    (c.elements ?? []).map((x) => element(x, ctx)),
  );
}

/** A form container: its inputs travel with the click of its submit button as `form_value`, as in Lark. */
function form(e, ctx) {
  const inputs = [];
  const inner = { ...ctx, formInputs: inputs };
  const el = h(
    'form',
    { class: 'card-form', 'data-name': e.name },
    (e.elements ?? []).map((x) => element(x, inner)),
  );
  el.addEventListener('submit', (ev) => ev.preventDefault());
  return el;
}

function input(e, ctx) {
  const el = h('input', {
    type: 'text',
    class: `card-input${e.width === 'fill' ? ' input-fill' : ''}`,
    name: e.name,
    placeholder: e.placeholder ? localized(e.placeholder, ctx.locale) : undefined,
    maxlength: Number.isInteger(e.max_length) ? e.max_length : undefined,
    'data-name': e.name,
  });
  ctx.formInputs?.push(el);
  return el;
}

function button(e, ctx) {
  const type = BUTTON_TYPES.includes(e.type) ? e.type : 'default';
  const callback = (e.behaviors ?? []).find((b) => b?.type === 'callback');
  const value = callback ? callback.value : e.value; // 2.0 behaviors, or 1.0's value
  const name = e.element_id ?? e.name;
  const el = h(
    'button',
    {
      type: 'button',
      class: `card-btn btn-${type}${e.width === 'fill' ? ' btn-fill' : ''}`,
      disabled: e.disabled === true,
      'data-name': name,
    },
    localized(e.text, ctx.locale),
  );
  el.addEventListener('click', async () => {
    if (value === undefined) return ctx.notice('This button has no callback (links are not followed here).');
    if (e.confirm) {
      const ok = await ctx.confirm(
        localized(e.confirm.title, ctx.locale),
        localized(e.confirm.text, ctx.locale),
      );
      if (!ok) return;
    }
    el.disabled = true;
    el.classList.add('loading');
    try {
      const submit = e.form_action_type === 'submit' && ctx.formInputs;
      const formValue = submit ? Object.fromEntries(ctx.formInputs.map((i) => [i.name, i.value])) : undefined;
      await ctx.onCallback({ value, name, ...(formValue ? { formValue } : {}) });
    } finally {
      el.disabled = e.disabled === true;
      el.classList.remove('loading');
    }
  });
  return el;
}
