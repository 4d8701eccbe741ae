import type { ChatStore } from '../chat-store.js';
import type { Persona } from './index.js';

/** A request the web chat refuses (answered 400 with `{error}`). */
export class BadInput extends Error {}

const MAX_TEXT = 4000;

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadInput('the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function string(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new BadInput(`${key} must be a non-empty string`);
  return value;
}

function persona(body: Record<string, unknown>, personas: readonly Persona[]): Persona {
  const as = string(body, 'as');
  const found = personas.find((p) => p.openId === as);
  if (!found) throw new BadInput(`unknown persona ${as}`);
  return found;
}

export interface SayInput {
  chatId: string;
  persona: Persona;
  text: string;
}

/**
 * `{chatId, as, text}`: the message exactly as typed. `@Name` of the bot or a member (the @ picker inserts them)
 * becomes a real mention when the sandbox sends it; a message without the bot's mention is delivered only as
 * the app's group-message scope allows, as in Lark.
 */
export function parseSay(raw: unknown, personas: readonly Persona[], store: ChatStore): SayInput {
  const body = object(raw);
  const chatId = string(body, 'chatId');
  if (!store.chat(chatId)) throw new BadInput(`unknown chat ${chatId}`);
  const who = persona(body, personas);
  const typed = string(body, 'text');
  if (typed.length > MAX_TEXT) throw new BadInput(`text is longer than ${MAX_TEXT} characters`);
  const text = typed.trim();
  if (text === '') throw new BadInput('text is empty');
  return { chatId, persona: who, text };
}

export interface ClickInput {
  messageId: string;
  persona: Persona;
  value: unknown;
  name?: string;
  /** A form's input values by name, sent by its submit button (delivered as `action.form_value`). */
  formValue?: Record<string, unknown>;
}

/** `{messageId, as, value, name?, formValue?}`: `value` is the button's `behaviors[].value`, passed through as is. */
export function parseClick(raw: unknown, personas: readonly Persona[], store: ChatStore): ClickInput {
  const body = object(raw);
  const messageId = string(body, 'messageId');
  const message = store.message(messageId);
  if (!message) throw new BadInput(`unknown message ${messageId}`);
  if (message.msgType !== 'interactive') throw new BadInput(`message ${messageId} is not a card`);
  const who = persona(body, personas);
  if (body.value === undefined) throw new BadInput('value is required (the button’s callback value)');
  const name = typeof body.name === 'string' && body.name !== '' ? body.name : undefined;
  const form = body.formValue;
  if (form !== undefined && (typeof form !== 'object' || form === null || Array.isArray(form))) {
    throw new BadInput('formValue must be an object (a form’s input values by name)');
  }
  const formValue = form as Record<string, unknown> | undefined;
  return {
    messageId,
    persona: who,
    value: body.value,
    ...(name ? { name } : {}),
    ...(formValue ? { formValue } : {}),
  };
}
