import type { SandboxConfig } from './options.js';
import type { MentionRecord, SandboxUser, StoredMessage } from './types.js';

/**
 * The JSON Lark pushes to a bot, field for field (LARK.md §1.2, §2, §3.1). Key order follows Lark's examples;
 * it does not matter to a correct verifier (which signs the raw bytes) but keeps dumps easy to compare.
 */

export interface EnvelopeHeader {
  event_id: string;
  event_type: string;
  create_time: string;
  token: string;
  app_id: string;
  tenant_key: string;
}

export interface Envelope {
  schema: '2.0';
  header: EnvelopeHeader;
  event: Record<string, unknown>;
}

export function header(
  config: SandboxConfig,
  eventType: string,
  eventId: string,
  createTimeMs: number,
  token: string,
): EnvelopeHeader {
  return {
    event_id: eventId,
    event_type: eventType,
    create_time: String(createTimeMs),
    token,
    app_id: config.appId,
    tenant_key: config.tenantKey,
  };
}

function userIds(user: SandboxUser): Record<string, string> {
  return { union_id: user.unionId, user_id: user.userId, open_id: user.openId };
}

/** `im.message.receive_v1` for a message a person sent (already in the store). */
export function messageReceiveEvent(
  head: EnvelopeHeader,
  config: SandboxConfig,
  sender: SandboxUser,
  message: StoredMessage,
  mentionedUsers: ReadonlyMap<string, SandboxUser>,
  chatType: 'group' | 'p2p',
): Envelope {
  const body: Record<string, unknown> = { message_id: message.messageId };
  if (message.rootId) body.root_id = message.rootId;
  if (message.parentId) body.parent_id = message.parentId;
  if (message.threadId) body.thread_id = message.threadId;
  Object.assign(body, {
    create_time: String(message.createTime),
    update_time: String(message.updateTime),
    chat_id: message.chatId,
    chat_type: chatType,
    message_type: message.msgType,
    content: message.rawContent,
  });
  if (message.mentions?.length) {
    body.mentions = message.mentions.map((m: MentionRecord) => {
      const user = mentionedUsers.get(m.openId);
      return {
        key: m.key,
        id: user ? userIds(user) : { open_id: m.openId },
        name: m.name,
        tenant_key: config.tenantKey,
      };
    });
  }
  body.user_agent = 'Mozilla/5.0 (Lark sandbox)';
  return {
    schema: '2.0',
    header: head,
    event: {
      sender: { sender_id: userIds(sender), sender_type: 'user', tenant_key: config.tenantKey },
      message: body,
    },
  };
}

export interface CardActionInput {
  operator: SandboxUser;
  cardToken: string;
  value: unknown;
  tag: string;
  name?: string;
  formValue?: Record<string, unknown>;
  message: StoredMessage;
}

/** `card.action.trigger`: a button press on a card. `event.token` is the delayed-update token, not the VT. */
export function cardActionEvent(
  head: EnvelopeHeader,
  config: SandboxConfig,
  input: CardActionInput,
): Envelope {
  const action: Record<string, unknown> = { value: input.value, tag: input.tag };
  if (input.name !== undefined) action.name = input.name;
  if (input.formValue !== undefined) action.form_value = input.formValue;
  return {
    schema: '2.0',
    header: head,
    event: {
      operator: { tenant_key: config.tenantKey, ...userIds(input.operator) },
      token: input.cardToken,
      action,
      host: 'im_message',
      context: { open_message_id: input.message.messageId, open_chat_id: input.message.chatId },
    },
  };
}

/** The URL check Lark sends when a request URL is saved. */
export function challengeBody(challenge: string, token: string): Record<string, string> {
  return { challenge, token, type: 'url_verification' };
}
