import {
  type LarkI18n,
  type MarkdownElement,
  type PlainTextElement,
  pick,
  plainText,
  toLarkI18n,
} from './i18n.js';
import { LIMITS, truncateText } from './limits.js';
import type { CardActionValue, I18nText, Locale } from './model.js';

/**
 * The Card JSON 2.0 shapes the builders emit, and constructors for them. Lark rejects unknown properties in
 * 2.0, so only documented ones appear here (feishu card-json-v2-structure, button, rich-text pages).
 */

export type HeaderTemplate =
  | 'blue'
  | 'wathet'
  | 'turquoise'
  | 'green'
  | 'yellow'
  | 'orange'
  | 'red'
  | 'carmine'
  | 'violet'
  | 'purple'
  | 'indigo'
  | 'grey'
  | 'default';

export type ButtonType =
  | 'default'
  | 'primary'
  | 'danger'
  | 'text'
  | 'primary_text'
  | 'danger_text'
  | 'primary_filled'
  | 'danger_filled'
  | 'laser';

export type CallbackBehavior = { type: 'callback'; value: CardActionValue };

export type ButtonElement = {
  tag: 'button';
  /** Unique in the card: letters, digits and `_`, starting with a letter, ≤ 20 characters. */
  element_id: string;
  type: ButtonType;
  text: PlainTextElement;
  behaviors: CallbackBehavior[];
  confirm?: { title: PlainTextElement; text: PlainTextElement };
  /** Inside a form: submitting sends the form's inputs as the callback's `form_value`. */
  form_action_type?: 'submit';
  /** Inside a form every button needs a name (unique in the card). */
  name?: string;
};

/** A one-line text input (inside a form); its value arrives under `name` in the callback's `form_value`. */
export type InputElement = {
  tag: 'input';
  element_id: string;
  name: string;
  required: boolean;
  max_length: number;
  width: 'fill';
  placeholder: PlainTextElement;
};

/** A form container: inputs plus the button that submits them (Card JSON 2.0 `form`). */
export type FormElement = {
  tag: 'form';
  element_id: string;
  name: string;
  elements: (InputElement | ButtonElement | ColumnSetElement)[];
};

export type ColumnElement = { tag: 'column'; width: 'auto'; elements: ButtonElement[] };

export type ColumnSetElement = {
  tag: 'column_set';
  flex_mode: 'flow';
  horizontal_spacing: 'small' | 'medium';
  columns: ColumnElement[];
};

export type HrElement = { tag: 'hr' };

export type CardElement = MarkdownElement | HrElement | ColumnSetElement | FormElement;

export type LarkCard = {
  schema: '2.0';
  config: { update_multi: true; summary?: { content: string; i18n_content?: LarkI18n } };
  header: { title: PlainTextElement; subtitle?: PlainTextElement; template: HeaderTemplate };
  body: { elements: CardElement[] };
};

export const HR: HrElement = { tag: 'hr' };

function clip(text: I18nText, max: number): I18nText {
  return { 'zh-CN': truncateText(pick(text, 'zh-CN'), max), 'en-US': truncateText(pick(text, 'en-US'), max) };
}

export interface CardParts {
  title: I18nText;
  subtitle?: I18nText;
  template: HeaderTemplate;
  /** Chat-list preview text (`config.summary`). */
  preview: I18nText;
  elements: CardElement[];
}

/** A whole card. Header texts are plain text (no escaping needed), clipped to the header limit. */
export function card(parts: CardParts, locale: Locale): LarkCard {
  const header: LarkCard['header'] = {
    title: plainText(clip(parts.title, LIMITS.headerChars), locale),
    template: parts.template,
  };
  if (parts.subtitle) header.subtitle = plainText(clip(parts.subtitle, LIMITS.headerChars), locale);
  const preview = clip(parts.preview, LIMITS.headerChars);
  return {
    schema: '2.0',
    config: {
      update_multi: true,
      summary: { content: pick(preview, locale), i18n_content: toLarkI18n(preview) },
    },
    header,
    body: { elements: parts.elements },
  };
}

export interface ButtonSpec {
  id: string;
  text: I18nText;
  type: ButtonType;
  value: CardActionValue;
  confirm?: { title: I18nText; text: I18nText };
}

export function button(spec: ButtonSpec, locale: Locale): ButtonElement {
  const el: ButtonElement = {
    tag: 'button',
    element_id: spec.id,
    type: spec.type,
    text: plainText(clip(spec.text, LIMITS.buttonTextChars), locale),
    // A fresh object: the value is an identifier carrier and is never truncated or shared.
    behaviors: [{ type: 'callback', value: { ...spec.value } }],
  };
  if (spec.confirm) {
    el.confirm = { title: plainText(spec.confirm.title, locale), text: plainText(spec.confirm.text, locale) };
  }
  return el;
}

/** Buttons side by side (Card JSON 2.0 has no `action` module: a column_set of auto-width columns). */
export function buttonRow(specs: ButtonSpec[], locale: Locale): ColumnSetElement {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: 'small',
    columns: specs.map((s) => ({ tag: 'column', width: 'auto', elements: [button(s, locale)] })),
  };
}

/**
 * An optional free-text input and the button that submits it, as one form: the button's callback carries its
 * value as usual plus `form_value: { [input.name]: text }`.
 */
export function formWithInput(
  spec: { id: string; input: { name: string; placeholder: I18nText; maxLength: number }; button: ButtonSpec },
  locale: Locale,
): FormElement {
  const submit = {
    ...button(spec.button, locale),
    form_action_type: 'submit' as const,
    name: spec.button.id,
  };
  return {
    tag: 'form',
    element_id: spec.id,
    name: spec.id,
    elements: [
      {
        tag: 'input',
        element_id: spec.input.name,
        name: spec.input.name,
        required: false,
        max_length: spec.input.maxLength,
        width: 'fill',
        placeholder: plainText(clip(spec.input.placeholder, LIMITS.buttonTextChars), locale),
      },
      submit,
    ],
  };
}
