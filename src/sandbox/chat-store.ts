import type { EventEmitter } from 'node:events';
import { compact } from './compact.js';
import { newChatId, newThreadId, unionIdFor, userIdFor } from './ids.js';
import type {
  MessageVersion,
  SandboxChat,
  SandboxEventMap,
  SandboxUser,
  StoredFile,
  StoredMessage,
  ToastRecord,
} from './types.js';

export type MemberInput = string | { openId: string; name?: string; unionId?: string; userId?: string };

export interface AddChatInput {
  /** @defaultValue a random `oc_…` id */
  chatId?: string;
  /** @defaultValue the chat id */
  name?: string;
  members?: MemberInput[];
}

export type NewMessage = Omit<StoredMessage, 'seq' | 'updateTime' | 'history' | 'content' | 'rawContent'> & {
  content: unknown;
  rawContent: string;
};

/**
 * Chats, people, messages (with their threads and update history) and toasts: what a person would see in the
 * Lark client. Every change is emitted on `events`, so a web UI and `waitFor` can follow without polling.
 */
export class ChatStore {
  private readonly users = new Map<string, SandboxUser>();
  private readonly chatsById = new Map<string, SandboxChat>();
  private readonly messagesById = new Map<string, StoredMessage>();
  private readonly ordered: StoredMessage[] = [];
  private readonly toastList: ToastRecord[] = [];
  private readonly filesByKey = new Map<string, StoredFile>();
  private seq = 0;

  constructor(
    readonly events: EventEmitter<SandboxEventMap>,
    private readonly now: () => number,
    readonly bot: SandboxUser,
  ) {
    this.users.set(bot.openId, bot);
  }

  /** Registers (or renames) a person; unknown people get derived union/user ids so events stay consistent. */
  registerUser(input: MemberInput): SandboxUser {
    const spec = typeof input === 'string' ? { openId: input } : input;
    const existing = this.users.get(spec.openId);
    const user: SandboxUser = {
      openId: spec.openId,
      name: spec.name ?? existing?.name ?? spec.openId,
      unionId: spec.unionId ?? existing?.unionId ?? unionIdFor(spec.openId),
      userId: spec.userId ?? existing?.userId ?? userIdFor(spec.openId),
    };
    this.users.set(user.openId, user);
    return user;
  }

  user(openId: string): SandboxUser {
    return this.users.get(openId) ?? this.registerUser(openId);
  }

  addChat(input: AddChatInput = {}): SandboxChat {
    const chatId = input.chatId ?? newChatId();
    if (this.chatsById.has(chatId)) throw new Error(`chat ${chatId} already exists`);
    const chat: SandboxChat = { chatId, name: input.name ?? chatId, members: [], botMember: true };
    this.chatsById.set(chatId, chat);
    for (const member of input.members ?? []) this.addMember(chatId, member);
    this.changed();
    return chat;
  }

  addMember(chatId: string, member: MemberInput): SandboxUser {
    const chat = this.requireChat(chatId);
    const user = this.registerUser(member);
    if (!chat.members.includes(user.openId)) chat.members.push(user.openId);
    this.changed();
    return user;
  }

  setBotMember(chatId: string, member: boolean): void {
    this.requireChat(chatId).botMember = member;
    this.changed();
  }

  chat(chatId: string): SandboxChat | undefined {
    return this.chatsById.get(chatId);
  }

  requireChat(chatId: string): SandboxChat {
    const chat = this.chatsById.get(chatId);
    if (!chat) throw new Error(`unknown chat ${chatId}: add it with sandbox.addChat first`);
    return chat;
  }

  chats(): SandboxChat[] {
    return [...this.chatsById.values()];
  }

  addMessage(input: NewMessage): StoredMessage {
    const message: StoredMessage = {
      ...compact(input),
      seq: ++this.seq,
      updateTime: input.createTime,
      history: [
        { at: input.createTime, source: 'create', content: input.content, rawContent: input.rawContent },
      ],
    };
    this.messagesById.set(message.messageId, message);
    this.ordered.push(message);
    this.events.emit('message', message);
    this.changed();
    return message;
  }

  /**
   * Where a reply to `parentId` goes. In a thread when asked (the root's thread, created on first use and then
   * stable, so every step reply of a run lands in one thread), or when the parent is itself a reply inside a
   * thread. A plain reply to a root stays in the main stream as a quote, even if the root has a thread.
   */
  placeReply(parentId: string, inThread: boolean): { rootId: string; parentId: string; threadId?: string } {
    const parent = this.requireMessage(parentId);
    const root = parent.rootId ? this.requireMessage(parent.rootId) : parent;
    if (inThread && !root.threadId) {
      root.threadId = newThreadId();
      this.changed();
    }
    const threadId = inThread ? root.threadId : parent.rootId ? parent.threadId : undefined;
    return { rootId: root.messageId, parentId: parent.messageId, ...(threadId ? { threadId } : {}) };
  }

  /** Full replace of a message's content (PATCH or a callback's card), kept in `history`. */
  replaceContent(
    messageId: string,
    content: unknown,
    rawContent: string,
    source: 'patch' | 'callback',
  ): MessageVersion {
    const message = this.requireMessage(messageId);
    const at = this.now();
    const version: MessageVersion = { at, source, content, rawContent };
    message.history.push(version);
    message.content = content;
    message.rawContent = rawContent;
    message.updateTime = at;
    this.events.emit('update', { message, version });
    this.changed();
    return version;
  }

  message(messageId: string): StoredMessage | undefined {
    return this.messagesById.get(messageId);
  }

  requireMessage(messageId: string): StoredMessage {
    const message = this.messagesById.get(messageId);
    if (!message) throw new Error(`unknown message ${messageId}`);
    return message;
  }

  /** All messages in creation order, or those of one chat. */
  messages(chatId?: string): StoredMessage[] {
    return chatId ? this.ordered.filter((m) => m.chatId === chatId) : [...this.ordered];
  }

  /** The replies in the thread `messageId` roots or belongs to, oldest first (the root itself excluded). */
  threadOf(messageId: string): StoredMessage[] {
    const message = this.requireMessage(messageId);
    const rootId = message.rootId ?? message.messageId;
    const threadId = this.messagesById.get(rootId)?.threadId ?? message.threadId;
    if (!threadId) return [];
    return this.ordered.filter((m) => m.threadId === threadId && m.messageId !== rootId);
  }

  botMessages(chatId?: string): StoredMessage[] {
    return this.messages(chatId).filter((m) => m.sender.type === 'app');
  }

  /** Keeps an uploaded file (not emitted: a file shows up in the chat only once a message sends it). */
  addFile(file: StoredFile): StoredFile {
    this.filesByKey.set(file.fileKey, file);
    return file;
  }

  file(fileKey: string): StoredFile | undefined {
    return this.filesByKey.get(fileKey);
  }

  addToast(input: Omit<ToastRecord, 'seq' | 'at'>): ToastRecord {
    const toast: ToastRecord = { ...compact(input), seq: this.toastList.length + 1, at: this.now() };
    this.toastList.push(toast);
    this.events.emit('toast', toast);
    this.changed();
    return toast;
  }

  toasts(messageId?: string): ToastRecord[] {
    return messageId ? this.toastList.filter((t) => t.messageId === messageId) : [...this.toastList];
  }

  private changed(): void {
    this.events.emit('change');
  }
}
