import { checkCard } from './card-validation.js';
import type { ChatStore } from './chat-store.js';
import { parseMessageContent } from './content-validation.js';
import { badCard, botNotInChat, invalidParam, notSender, rateLimited, tooOldToPatch } from './errors.js';
import { newMessageId } from './ids.js';
import type { RateLimits, SandboxConfig } from './options.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import type { FileInfo, SandboxChat, StoredFile, StoredMessage } from './types.js';

const UUID_MAX_LENGTH = 50;
const UUID_TTL_MS = 60 * 60 * 1000;
const PATCH_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

export interface CreateInput {
  receiveIdType: unknown;
  receiveId: unknown;
  msgType: unknown;
  content: unknown;
  uuid: unknown;
}

export interface ReplyInput {
  msgType: unknown;
  content: unknown;
  replyInThread: unknown;
  uuid: unknown;
}

/**
 * The IM message APIs (create, reply, patch) as Lark applies them to the bot's requests, without HTTP. Checks run
 * in this order: target exists and the bot is in it → rate limit → parameters and content → uuid dedupe. A
 * request that fails any check changes nothing; one that passes the rate limit counts against it, as at Lark.
 */
export class MessageService {
  private readonly perChat: SlidingWindowLimiter;
  private readonly perMessage: SlidingWindowLimiter;
  /** uuid → message it created and when; Lark sends at most one message per uuid within an hour. */
  private readonly uuids = new Map<string, { messageId: string; at: number }>();

  constructor(
    private readonly store: ChatStore,
    private readonly config: SandboxConfig,
    private readonly now: () => number,
    limits: RateLimits,
  ) {
    this.perChat = new SlidingWindowLimiter(() => limits.perChat, now);
    this.perMessage = new SlidingWindowLimiter(() => limits.perMessage, now);
  }

  create(input: CreateInput): StoredMessage {
    if (input.receiveIdType !== 'chat_id') {
      throw invalidParam('the sandbox supports receive_id_type=chat_id only');
    }
    if (typeof input.receiveId !== 'string') throw invalidParam('receive_id must be a string');
    const chat = this.chatWithBot(input.receiveId);
    const uuid = checkUuid(input.uuid);
    this.acquire(this.perChat, chat.chatId);
    const parsed = parseMessageContent(input.msgType, input.content);
    const file = this.fileOf(parsed);
    const duplicate = this.duplicateOf(uuid);
    if (duplicate) return duplicate;
    return this.remember(uuid, this.addBotMessage(chat, parsed, file ? { file } : {}));
  }

  reply(parentId: string, input: ReplyInput): StoredMessage {
    const parent = this.existing(parentId);
    const chat = this.chatWithBot(parent.chatId);
    if (input.replyInThread !== undefined && typeof input.replyInThread !== 'boolean') {
      throw invalidParam('reply_in_thread must be a boolean');
    }
    const uuid = checkUuid(input.uuid);
    this.acquire(this.perChat, chat.chatId);
    const parsed = parseMessageContent(input.msgType, input.content);
    const file = this.fileOf(parsed);
    const duplicate = this.duplicateOf(uuid);
    if (duplicate) return duplicate;
    const placement = this.store.placeReply(parent.messageId, input.replyInThread === true);
    return this.remember(uuid, this.addBotMessage(chat, parsed, { ...placement, ...(file ? { file } : {}) }));
  }

  /** Full replace of a card the bot sent; Lark's answer carries no message data. */
  patch(messageId: string, content: unknown): StoredMessage {
    const message = this.existing(messageId);
    this.chatWithBot(message.chatId);
    if (message.sender.type !== 'app') throw notSender();
    if (message.msgType !== 'interactive') throw invalidParam('only interactive messages can be patched');
    if (this.now() - message.createTime > PATCH_MAX_AGE_MS) throw tooOldToPatch();
    this.acquire(this.perMessage, message.messageId);
    const parsed = parseMessageContent('interactive', content);
    // Lark needs a shared card before *and* after the update; a 1.0 card without update_multi is not one.
    const before = checkCard(message.content);
    if (!before.ok) throw badCard(before.errCode, `the current card is not updatable: ${before.reason}`);
    this.store.replaceContent(message.messageId, parsed.content, parsed.rawContent, 'patch');
    return message;
  }

  /** Keeps an upload (`POST /open-apis/im/v1/files`) for later `file` messages and downloads. */
  addFile(file: StoredFile): StoredFile {
    return this.store.addFile(file);
  }

  file(fileKey: string): StoredFile | undefined {
    return this.store.file(fileKey);
  }

  /** A file message's file: it must be one this app uploaded. */
  private fileOf(parsed: { msgType: string; content: unknown }): FileInfo | undefined {
    if (parsed.msgType !== 'file') return undefined;
    const key = (parsed.content as { file_key: string }).file_key;
    const file = this.store.file(key);
    if (!file) throw invalidParam(`file_key ${key} was not uploaded by this app`);
    return { fileKey: file.fileKey, fileName: file.fileName, fileType: file.fileType, size: file.size };
  }

  private chatWithBot(chatId: string): SandboxChat {
    const chat = this.store.chat(chatId);
    // Lark cannot tell "no such chat" from "a chat the bot is not in": both are 230002 to the bot.
    if (!chat?.botMember) throw botNotInChat();
    return chat;
  }

  private existing(messageId: string): StoredMessage {
    const message = this.store.message(messageId);
    if (!message) throw invalidParam(`message ${messageId} not found`);
    return message;
  }

  private acquire(limiter: SlidingWindowLimiter, key: string): void {
    const refused = limiter.tryAcquire(key);
    if (refused) throw rateLimited(refused.limit, refused.resetSeconds);
  }

  private duplicateOf(uuid: string | undefined): StoredMessage | undefined {
    if (uuid === undefined) return undefined;
    const seen = this.uuids.get(uuid);
    if (!seen || this.now() - seen.at >= UUID_TTL_MS) return undefined;
    return this.store.message(seen.messageId);
  }

  private remember(uuid: string | undefined, message: StoredMessage): StoredMessage {
    if (uuid !== undefined) this.uuids.set(uuid, { messageId: message.messageId, at: message.createTime });
    return message;
  }

  private addBotMessage(
    chat: SandboxChat,
    parsed: { msgType: string; content: unknown; rawContent: string },
    placement: { rootId?: string; parentId?: string; threadId?: string; file?: FileInfo },
  ): StoredMessage {
    const { bot } = this.store;
    return this.store.addMessage({
      messageId: newMessageId(),
      chatId: chat.chatId,
      sender: { type: 'app', appId: this.config.appId, openId: bot.openId, name: bot.name },
      msgType: parsed.msgType,
      content: parsed.content,
      rawContent: parsed.rawContent,
      createTime: this.now(),
      ...placement,
    });
  }
}

function checkUuid(uuid: unknown): string | undefined {
  if (uuid === undefined || uuid === null || uuid === '') return undefined;
  if (typeof uuid !== 'string') throw invalidParam('uuid must be a string');
  if (uuid.length > UUID_MAX_LENGTH) throw invalidParam(`uuid is longer than ${UUID_MAX_LENGTH} characters`);
  return uuid;
}

/** The `data` object Lark returns for create and reply (LARK.md §5.2). */
export function toApiMessage(message: StoredMessage, config: SandboxConfig): Record<string, unknown> {
  const sender =
    message.sender.type === 'app'
      ? { id: config.appId, id_type: 'app_id', sender_type: 'app', tenant_key: config.tenantKey }
      : { id: message.sender.openId, id_type: 'open_id', sender_type: 'user', tenant_key: config.tenantKey };
  const data: Record<string, unknown> = { message_id: message.messageId };
  if (message.rootId) data.root_id = message.rootId;
  if (message.parentId) data.parent_id = message.parentId;
  if (message.threadId) data.thread_id = message.threadId;
  Object.assign(data, {
    msg_type: message.msgType,
    create_time: String(message.createTime),
    update_time: String(message.updateTime),
    deleted: false,
    updated: message.history.length > 1,
    chat_id: message.chatId,
    sender,
    body: { content: message.rawContent },
  });
  return data;
}
