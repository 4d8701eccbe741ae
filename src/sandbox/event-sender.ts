import { setTimeout as sleep } from 'node:timers/promises';
import { type DeliveryResult, encodeBody, type SignOverrides } from './delivery.js';
import { challengeBody, header, messageReceiveEvent } from './envelopes.js';
import { newChallenge, newEventId, newMessageId } from './ids.js';
import { encodeMentions } from './mentions.js';
import { deliverAttempt, overLongConnection, requireUrl, type SenderContext } from './sender-context.js';
import type { SandboxUser } from './types.js';

/** Lark's retry intervals for an event not answered 200 in time (LARK.md §1.7). */
export const LARK_RETRY_SCHEDULE_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];

export interface UserSaysInput {
  chatId: string;
  senderOpenId: string;
  /** What the person types; `@Name` of a chat member (or of the bot) becomes a real mention. */
  text: string;
  /**
   * Prefix an @-mention of the bot unless the text already has one (a test's shorthand). The web chat passes
   * false: the message is exactly what was typed. @defaultValue true
   */
  mentionBot?: boolean;
  /** @defaultValue 32 random hex digits */
  eventId?: string;
  /** @defaultValue a random `om_…` id */
  messageId?: string;
  /** Reply to this message instead of posting at the top of the chat. */
  replyTo?: string;
  /** With `replyTo`: post into the root message's thread. @defaultValue true */
  inThread?: boolean;
  /** @defaultValue 'group' */
  chatType?: 'group' | 'p2p';
}

export interface EventDeliveryOptions extends SignOverrides {
  /** Sent as `header.token` instead of the verification token. */
  token?: string;
  /** @defaultValue the sandbox's event URL */
  url?: string;
  /** @defaultValue deadlines.eventMs (3000) */
  timeoutMs?: number;
  /** Re-post the same event (same event_id and body, fresh timestamp/nonce/signature) until answered 200. */
  retry?: boolean;
  /** Waits before each retry. @defaultValue LARK_RETRY_SCHEDULE_MS (compress it in tests) */
  schedule?: readonly number[];
}

export interface EventDeliveryResult extends DeliveryResult {
  eventId: string;
  /** Every attempt in order; the top-level fields are those of the last. */
  attempts: DeliveryResult[];
}

export interface UserSaysResult extends EventDeliveryResult {
  messageId: string;
  /**
   * False when Lark would not push this message to the bot: a group message that does not @-mention it while
   * the app lacks the "read all group messages" scope (`config.groupMessages === 'mentions'`). The message is
   * still in the chat, for people to read; no event was sent (status 0, no attempts).
   */
  delivered: boolean;
}

export interface ChallengeInput {
  url?: string;
  /** @defaultValue true when the sandbox has an encrypt key */
  encrypted?: boolean;
  /** @defaultValue the verification token */
  token?: string;
  /** Send the signature headers too; whether Lark signs the challenge is unconfirmed. @defaultValue true */
  signed?: boolean;
  /** @defaultValue deadlines.challengeMs (1000) */
  timeoutMs?: number;
}

export interface ChallengeResult extends DeliveryResult {
  /** HTTP 200 with `{"challenge": <the same value>}` within the deadline: Lark would accept the URL. */
  ok: boolean;
  challenge: string;
}

interface SentEvent {
  rawBody: string;
  /** The envelope unencrypted, as the long connection carries it. */
  plaintext: string;
  url: string;
  attempts: number;
}

/** People talking to the bot: `im.message.receive_v1` pushes, Lark's retries, and the URL challenge. */
export class EventSender {
  private readonly sent = new Map<string, SentEvent>();

  constructor(private readonly ctx: SenderContext) {}

  /** Records the person's message in the chat, then delivers the event the way Lark does. */
  async userSays(input: UserSaysInput, options: EventDeliveryOptions = {}): Promise<UserSaysResult> {
    const { store, config } = this.ctx;
    const url = requireUrl(options.url ?? this.ctx.urls.eventUrl, 'event', this.ctx);
    const chat = store.requireChat(input.chatId);
    const sender = store.addMember(chat.chatId, input.senderOpenId);
    const bot = store.bot;
    const typed =
      (input.mentionBot ?? true) && !input.text.toLowerCase().includes(`@${bot.name.toLowerCase()}`)
        ? `@${bot.name} ${input.text}`
        : input.text;
    const candidates = [bot, ...chat.members.map((id) => store.user(id))];
    const { text, mentions } = encodeMentions(typed, candidates);
    const placement = input.replyTo ? store.placeReply(input.replyTo, input.inThread ?? true) : {};
    const rawContent = JSON.stringify({ text });
    const message = store.addMessage({
      messageId: input.messageId ?? newMessageId(),
      chatId: chat.chatId,
      sender: { type: 'user', openId: sender.openId, name: sender.name },
      msgType: 'text',
      content: { text },
      rawContent,
      mentions: mentions.length ? mentions : undefined,
      createTime: this.ctx.now(),
      ...placement,
    });
    const eventId = input.eventId ?? newEventId();
    const chatType = input.chatType ?? 'group';
    const mentionsBot = mentions.some((m) => m.openId === bot.openId);
    if (chatType === 'group' && config.groupMessages === 'mentions' && !mentionsBot) {
      return {
        eventId,
        attempts: [],
        status: 0,
        body: '',
        durationMs: 0,
        messageId: message.messageId,
        delivered: false,
      };
    }
    const token = options.token ?? config.verificationToken;
    const head = header(config, 'im.message.receive_v1', eventId, message.createTime, token);
    const users = new Map<string, SandboxUser>(candidates.map((u) => [u.openId, u]));
    const envelope = messageReceiveEvent(head, config, sender, message, users, chatType);
    const rawBody = encodeBody(envelope, config.encryptKey);
    this.sent.set(eventId, { rawBody, plaintext: JSON.stringify(envelope), url, attempts: 0 });
    const result = await this.deliverWithRetries(eventId, options);
    return { ...result, messageId: message.messageId, delivered: true };
  }

  /** A duplicate push of an event already sent (same event_id and body), as Lark's retries produce. */
  async redeliver(eventId: string, options: EventDeliveryOptions = {}): Promise<EventDeliveryResult> {
    return this.deliverWithRetries(eventId, options);
  }

  /** The `url_verification` Lark sends when a request URL is saved. */
  async challenge(input: ChallengeInput = {}): Promise<ChallengeResult> {
    const { config } = this.ctx;
    const url = requireUrl(input.url ?? this.ctx.urls.eventUrl, 'event');
    const encrypted = input.encrypted ?? config.encryptKey !== undefined;
    if (encrypted && !config.encryptKey)
      throw new Error('an encrypted challenge needs the sandbox encryptKey');
    const challenge = newChallenge();
    const rawBody = encodeBody(
      challengeBody(challenge, input.token ?? config.verificationToken),
      encrypted ? config.encryptKey : undefined,
    );
    const result = await deliverAttempt(this.ctx, {
      kind: 'challenge',
      url,
      rawBody,
      timeoutMs: input.timeoutMs ?? this.ctx.deadlines.challengeMs,
      attempt: 1,
      overrides: { omitSignature: input.signed === false },
    });
    const answer = result.json as { challenge?: unknown } | undefined;
    const ok = result.status === 200 && !result.error && answer?.challenge === challenge;
    return { ...result, ok, challenge };
  }

  private async deliverWithRetries(
    eventId: string,
    options: EventDeliveryOptions,
  ): Promise<EventDeliveryResult> {
    const sent = this.sent.get(eventId);
    if (!sent) throw new Error(`the sandbox never sent event ${eventId}`);
    if (overLongConnection(this.ctx, options.url) && !options.retry) return this.pushOverWs(eventId, sent);
    const schedule = options.retry ? (options.schedule ?? LARK_RETRY_SCHEDULE_MS) : [];
    const attempts: DeliveryResult[] = [];
    for (let i = 0; ; i++) {
      sent.attempts += 1;
      const overWs = overLongConnection(this.ctx, options.url);
      const result = await deliverAttempt(this.ctx, {
        kind: 'event',
        url: options.url ?? sent.url,
        rawBody: sent.rawBody,
        ...(overWs ? { plaintext: sent.plaintext } : {}),
        timeoutMs: options.timeoutMs ?? this.ctx.deadlines.eventMs,
        attempt: sent.attempts,
        eventId,
        overrides: options,
      });
      attempts.push(result);
      const wait = schedule[i];
      const acked = result.status === 200 && !result.error;
      if (acked || wait === undefined || !(await this.pause(wait))) return { ...result, eventId, attempts };
    }
  }

  /**
   * Over the long connection Lark re-pushes an event whose ack is late or failed, on its own schedule: the first
   * push is answered here, the re-pushes go on in the background (`deliveries()` shows them).
   */
  private async pushOverWs(eventId: string, sent: SentEvent): Promise<EventDeliveryResult> {
    const attempt = () => {
      sent.attempts += 1;
      return deliverAttempt(this.ctx, {
        kind: 'event',
        url: sent.url,
        rawBody: sent.rawBody,
        plaintext: sent.plaintext,
        timeoutMs: this.ctx.deadlines.eventMs,
        attempt: sent.attempts,
        eventId,
      });
    };
    const acked = (r: DeliveryResult) => r.status === 200 && !r.error;
    const first = await attempt();
    if (!acked(first)) {
      void (async () => {
        for (const wait of this.ctx.deadlines.repushMs) {
          if (!(await this.pause(wait)) || acked(await attempt())) return;
        }
      })();
    }
    return { ...first, eventId, attempts: [first] };
  }

  /** False when the sandbox closed during the wait: no more retries. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.ctx.closing });
      return true;
    } catch {
      return false;
    }
  }
}
