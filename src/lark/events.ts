import { InboundError } from './inbound-error.js';

/** A verified inbound delivery, reduced to what the bot acts on. Knows Lark JSON; nothing past lark/ does. */
export type InboundEvent =
  | {
      kind: 'message';
      eventId: string;
      messageId: string;
      chatId: string;
      chatType: string;
      senderOpenId: string;
      senderType: string;
      messageType: string;
      /** Text with the @-placeholders left in; see commandText(). */
      text: string;
      mentions: { key: string; openId?: string; name?: string }[];
    }
  | {
      kind: 'card_action';
      eventId: string;
      operatorOpenId: string;
      messageId: string;
      chatId: string;
      value: Record<string, unknown>;
      /** A form's inputs, when the button submitted one (`action.form_value`). */
      formValue?: Record<string, unknown>;
    }
  | { kind: 'ignored'; eventId?: string; eventType: string };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function messageText(message: Obj): string {
  if (message.message_type !== 'text' || typeof message.content !== 'string') return '';
  try {
    return str(obj(JSON.parse(message.content)).text);
  } catch {
    return '';
  }
}

/** Turn a verified v2 envelope into an InboundEvent; malformed envelopes of known types are InboundErrors. */
export function parseEnvelope(body: Obj): InboundEvent {
  const head = obj(body.header);
  const eventType = str(head.event_type);
  const eventId = str(head.event_id);
  const event = obj(body.event);
  if (body.schema !== '2.0') {
    throw new InboundError('UNSUPPORTED', 'only v2.0 events and card.action.trigger callbacks are supported');
  }
  if (!eventId) throw new InboundError('MALFORMED_BODY', 'header.event_id is missing');
  if (eventType === 'im.message.receive_v1') {
    const message = obj(event.message);
    const sender = obj(event.sender);
    const messageId = str(message.message_id);
    const chatId = str(message.chat_id);
    if (!messageId || !chatId) throw new InboundError('MALFORMED_BODY', 'event.message is incomplete');
    const mentions = Array.isArray(message.mentions) ? message.mentions.map(obj) : [];
    return {
      kind: 'message',
      eventId,
      messageId,
      chatId,
      chatType: str(message.chat_type),
      senderOpenId: str(obj(sender.sender_id).open_id),
      senderType: str(sender.sender_type),
      messageType: str(message.message_type),
      text: messageText(message),
      mentions: mentions.map((m) => ({ key: str(m.key), openId: str(obj(m.id).open_id), name: str(m.name) })),
    };
  }
  if (eventType === 'card.action.trigger') {
    const context = obj(event.context);
    const action = obj(event.action);
    const value = typeof action.value === 'string' ? safeParse(action.value) : obj(action.value);
    return {
      kind: 'card_action',
      eventId,
      operatorOpenId: str(obj(event.operator).open_id),
      messageId: str(context.open_message_id),
      chatId: str(context.open_chat_id),
      value,
      ...(action.form_value !== undefined ? { formValue: obj(action.form_value) } : {}),
    };
  }
  return { kind: 'ignored', eventId, eventType };
}

function safeParse(text: string): Obj {
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

/**
 * The command text of a message addressed to the bot, or undefined when it is not for the bot: in a group the
 * bot must be @-mentioned (unless `readAllGroupMessages`), and its own placeholder is stripped. Other people's
 * placeholders are replaced by their names so they cannot be mistaken for arguments.
 */
export function commandText(
  event: Extract<InboundEvent, { kind: 'message' }>,
  botOpenId: string,
  readAllGroupMessages = true,
): string | undefined {
  let text = event.text;
  const botMention = event.mentions.find((m) => m.openId === botOpenId);
  if (!botMention && event.chatType !== 'p2p' && !readAllGroupMessages) return undefined;
  for (const mention of event.mentions) {
    if (!mention.key) continue;
    text = text.split(mention.key).join(mention === botMention ? ' ' : `@${mention.name ?? ''}`);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text;
}
