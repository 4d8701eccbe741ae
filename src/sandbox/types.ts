/**
 * The sandbox's recorded world. Every record is plain JSON-serialisable data, so a web chat UI can stream it
 * over SSE as is, and tests can assert on it with toEqual.
 */

/** A person (or the bot) as Lark identifies them to this app. */
export interface SandboxUser {
  openId: string;
  name: string;
  unionId: string;
  userId: string;
}

export interface SandboxChat {
  chatId: string;
  name: string;
  /** open_ids of the people in the chat (the bot is tracked by `botMember`, not listed here). */
  members: string[];
  /** False after `removeBot(chatId)`: message APIs then answer 230002. */
  botMember: boolean;
}

export type MessageSender =
  | { type: 'user'; openId: string; name: string }
  | { type: 'app'; appId: string; openId: string; name: string };

/** One version of a message's content: the original (source 'create') or a later replacement. */
export interface MessageVersion {
  at: number;
  source: 'create' | 'patch' | 'callback';
  /** Parsed content (text: {text}; interactive: the card JSON). */
  content: unknown;
  /** The exact string Lark stores (what the bot sent; for callbacks, JSON.stringify of the card). */
  rawContent: string;
}

export interface MentionRecord {
  key: string;
  openId: string;
  name: string;
}

export interface StoredMessage {
  messageId: string;
  chatId: string;
  /** Global creation order across all chats, starting at 1. */
  seq: number;
  sender: MessageSender;
  msgType: string;
  /** Current parsed content (the last entry of `history`). */
  content: unknown;
  rawContent: string;
  mentions?: MentionRecord[];
  rootId?: string;
  parentId?: string;
  /** Set on thread replies and, once a thread exists, on its root message too. */
  threadId?: string;
  uuid?: string;
  /** For `file` messages: the uploaded file it shows (name and size, for the chat's attachment). */
  file?: FileInfo;
  /** ms since epoch, from the sandbox clock. */
  createTime: number;
  updateTime: number;
  /** Every version, oldest first; history[0] is the creation. */
  history: MessageVersion[];
}

/** An uploaded file as a message shows it. */
export interface FileInfo {
  fileKey: string;
  fileName: string;
  fileType: string;
  /** Bytes. */
  size: number;
}

/** A file the bot uploaded (`POST /open-apis/im/v1/files`), kept for `file` messages and downloads. */
export interface StoredFile extends FileInfo {
  createTime: number;
  data: Buffer;
}

/** A toast a user saw after clicking a card: the bot's answer, or Lark's own error (code set). */
export interface ToastRecord {
  seq: number;
  at: number;
  messageId: string;
  chatId: string;
  operatorOpenId: string;
  type: string;
  content: string;
  i18n?: Record<string, string>;
  /** Lark client error code for a sandbox-made toast: 200341 timeout, 200340 bad callback answer. */
  code?: number;
  source: 'bot' | 'lark';
}

export type ApiName = 'token' | 'bot_info' | 'create' | 'reply' | 'patch' | 'upload' | 'download' | 'other';

/** One request the bot made to the Open API. */
export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  api: ApiName;
  /** HTTP status; 0 when the sandbox dropped the connection. */
  status: number;
  /** Lark `code` of the answer when it was JSON (0 = success). */
  code?: number;
  fault?: FaultKind;
}

export type FaultKind = '429' | '500' | 'slow' | 'drop';

/** One POST the sandbox made to the bot (event, card callback, challenge or raw delivery). */
export interface DeliveryRecord {
  seq: number;
  at: number;
  kind: 'event' | 'callback' | 'challenge' | 'raw';
  url: string;
  eventId?: string;
  /** 1 for the first try; retries and redeliveries count up. */
  attempt: number;
  /** HTTP status; 0 on timeout or network error. */
  status: number;
  error?: 'timeout' | 'network';
  durationMs: number;
}

export interface SandboxEventMap {
  message: [StoredMessage];
  update: [{ message: StoredMessage; version: MessageVersion }];
  toast: [ToastRecord];
  request: [RequestRecord];
  delivery: [DeliveryRecord];
  /** Fired after any of the above, so waiters need one listener. */
  change: [];
}
