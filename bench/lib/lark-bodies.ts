import { encodeBody, signedHeaders } from '../../src/sandbox/delivery.js';
import { header, messageReceiveEvent } from '../../src/sandbox/envelopes.js';
import { newEventId, newMessageId, unionIdFor, userIdFor } from '../../src/sandbox/ids.js';
import { encodeMentions } from '../../src/sandbox/mentions.js';
import { resolveOptions } from '../../src/sandbox/options.js';
import type { SandboxUser, StoredMessage } from '../../src/sandbox/types.js';

/** The app every part of the bench uses: signed and encrypted, as a production Lark app with an Encrypt Key. */
export const APP = {
  appSecret: 'bench-app-secret-value',
  verificationToken: 'bench-verification-token',
  encryptKey: 'bench-encrypt-key-0123456789',
} as const;

export const ONCALL = 'ou_oncall';
export const LEAD_A = 'ou_lead_a';
export const LEAD_B = 'ou_lead_b';
export const STRANGER = 'ou_stranger';
/** Ten incident chats: requests rotate over them so the per-chat send pacing (5/s, Lark's limit) stays out. */
export const CHATS = Array.from({ length: 10 }, (_, i) => `oc_bench_${i}`);

const config = resolveOptions({ ...APP }).config;
export const BOT_OPEN_ID = config.botOpenId;
export const APP_ID = config.appId;

const user = (openId: string, name: string): SandboxUser => ({
  openId,
  name,
  unionId: unionIdFor(openId),
  userId: userIdFor(openId),
});
const bot = user(config.botOpenId, config.botName);
const oncall = user(ONCALL, 'On-call');

export interface RawRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * One `im.message.receive_v1` exactly as the sandbox (and Lark) sends it: compact JSON, encrypted, signed with a
 * fresh timestamp and nonce, a new event_id and message_id. `mentionBot` prefixes `@RollbackBot` like a person
 * addressing the bot; without it the text reaches the bot only because it is in the chat.
 */
export function messageEvent(
  chatId: string,
  text: string,
  mentionBot: boolean,
  nowMs = Date.now(),
): RawRequest {
  const typed = mentionBot ? `@${bot.name} ${text}` : text;
  const encoded = encodeMentions(typed, [bot, oncall]);
  const message: StoredMessage = {
    messageId: newMessageId(),
    chatId,
    seq: 0,
    sender: { type: 'user', openId: oncall.openId, name: oncall.name },
    msgType: 'text',
    content: { text: encoded.text },
    rawContent: JSON.stringify({ text: encoded.text }),
    ...(encoded.mentions.length ? { mentions: encoded.mentions } : {}),
    createTime: nowMs,
    updateTime: nowMs,
    history: [],
  };
  const head = header(config, 'im.message.receive_v1', newEventId(), nowMs, config.verificationToken);
  const users = new Map([bot, oncall].map((u) => [u.openId, u]));
  const envelope = messageReceiveEvent(head, config, oncall, message, users, 'group');
  const body = encodeBody(envelope, config.encryptKey);
  return { body, headers: signedHeaders(body, config.encryptKey, nowMs) };
}

/** The bytes of a whole HTTP/1.1 request, for wrk to write as they are. */
export function rawHttp(hostPort: string, path: string, request: RawRequest): string {
  const lines = [`POST ${path} HTTP/1.1`, `Host: ${hostPort}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(request.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${request.body}`;
}
