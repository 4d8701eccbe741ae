/**
 * The Lark sandbox: a real HTTP server speaking the Open API subset the bot uses (tenant token, bot info, message
 * create / reply / patch, LARK.md §5), plus a sender that pushes events and card callbacks to the bot exactly as
 * Lark does (compact JSON, signed, encrypted when a key is set; LARK.md §1–§3). Tests and the local demo use it
 * instead of a Lark tenant.
 *
 *   const sandbox = createSandbox({ encryptKey, verificationToken, eventUrl: 'http://127.0.0.1:3000/lark/events' });
 *   const { url } = await sandbox.listen();          // point the bot's LARK_DOMAIN / SDK `domain` at `url`
 *   sandbox.addChat({ chatId: 'oc_incident', name: 'Incident', members: [{ openId: 'ou_alice', name: 'Alice' }] });
 *   await sandbox.userSays({ chatId: 'oc_incident', senderOpenId: 'ou_alice', text: '/rollback emergency' });
 *   const card = await sandbox.waitFor(() => sandbox.botMessages('oc_incident')[0]);
 *   await sandbox.click({ operatorOpenId: 'ou_lead', messageId: card.messageId, value: { action: 'approve' } });
 *   await sandbox.close();
 *
 * What it records (chats, messages with threads and update history, toasts, requests, deliveries) is plain JSON
 * and every change is emitted on `sandbox.events`, for `waitFor` and for a web chat UI over SSE.
 */
import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { ActivityLog } from './activity-log.js';
import { buildApiServer } from './api-server.js';
import { CardSender, type ClickInput, type ClickOptions, type ClickResult } from './card-sender.js';
import { type AddChatInput, ChatStore, type MemberInput } from './chat-store.js';
import { type DeliveryResult, post } from './delivery.js';
import {
  type ChallengeInput,
  type ChallengeResult,
  type EventDeliveryOptions,
  type EventDeliveryResult,
  EventSender,
  type UserSaysInput,
  type UserSaysResult,
} from './event-sender.js';
import { FaultInjector } from './faults.js';
import { tenantAccessToken, unionIdFor, userIdFor } from './ids.js';
import { MessageService } from './message-service.js';
import {
  checkUrl,
  type GroupMessageScope,
  type RateLimits,
  resolveOptions,
  type SandboxConfig,
  type SandboxOptions,
} from './options.js';
import type {
  DeliveryRecord,
  RequestRecord,
  SandboxChat,
  SandboxEventMap,
  SandboxUser,
  StoredMessage,
  ToastRecord,
} from './types.js';
import { type Probe, waitForChange } from './wait-for.js';
import { registerWsEndpoint } from './ws-endpoint.js';
import { LongConnectionHub, type LongConnectionStatus } from './ws-hub.js';

export interface Sandbox {
  readonly config: Readonly<SandboxConfig>;
  /** The tenant_access_token the token endpoint hands out (derived from app id + secret, stable). */
  readonly tenantAccessToken: string;
  readonly events: EventEmitter<SandboxEventMap>;
  readonly faults: FaultInjector;
  /** Mutable: lower them in a test, e.g. `sandbox.rateLimits.perChat = 2`. */
  readonly rateLimits: RateLimits;
  readonly store: ChatStore;
  /** The Fastify app, so a web UI can add routes before `listen`. */
  readonly server: FastifyInstance;
  /** Base URL once listening (no trailing slash: the SDK would produce `//open-apis`). */
  readonly url: string | undefined;
  readonly eventUrl: string | undefined;
  readonly cardUrl: string | undefined;
  /**
   * The long connection (`POST /callback/ws/endpoint`, then a WebSocket): once a client of the app has
   * connected, events and clicks are pushed over it instead of the webhook URLs. Also its faults.
   */
  readonly longConnection: LongConnectionHub;
  longConnectionStatus(): LongConnectionStatus;

  listen(port?: number, host?: string): Promise<{ url: string }>;
  /** Stops the server and any scheduled event retries. */
  close(): Promise<void>;
  setBotUrls(urls: { eventUrl?: string; cardUrl?: string }): void;
  /** The app's group-message scope: `mentions` (only messages that @-mention the bot reach it) or `all`. */
  setGroupMessages(scope: GroupMessageScope): void;
  /** `new lark.Client({ ...sandbox.sdkClientOptions(), appType: lark.AppType.SelfBuild })`. */
  sdkClientOptions(): { appId: string; appSecret: string; domain: string };

  addChat(input?: AddChatInput): SandboxChat;
  addMember(chatId: string, member: MemberInput): SandboxUser;
  removeBot(chatId: string): void;
  addBot(chatId: string): void;

  messages(chatId?: string): StoredMessage[];
  message(messageId: string): StoredMessage | undefined;
  threadOf(messageId: string): StoredMessage[];
  botMessages(chatId?: string): StoredMessage[];
  toasts(messageId?: string): ToastRecord[];
  requests(): RequestRecord[];
  deliveries(): DeliveryRecord[];
  waitFor<T>(probe: Probe<T>, timeoutMs?: number): Promise<T>;

  userSays(input: UserSaysInput, options?: EventDeliveryOptions): Promise<UserSaysResult>;
  redeliver(eventId: string, options?: EventDeliveryOptions): Promise<EventDeliveryResult>;
  click(input: ClickInput, options?: ClickOptions): Promise<ClickResult>;
  challenge(input?: ChallengeInput): Promise<ChallengeResult>;
  /** Low level: POST these exact bytes and headers (nothing signed for you), e.g. to tamper with them. */
  deliver(
    rawBody: string | Buffer,
    headers: Record<string, string>,
    url: string,
    timeoutMs?: number,
  ): Promise<DeliveryResult>;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const resolved = resolveOptions(options);
  const { config, now, urls, rateLimits, deadlines } = resolved;
  const events = new EventEmitter<SandboxEventMap>();
  // Many concurrent waitFor calls each hold a 'change' listener; that is expected, not a leak.
  events.setMaxListeners(0);
  const bot: SandboxUser = {
    openId: config.botOpenId,
    name: config.botName,
    unionId: unionIdFor(config.botOpenId),
    userId: userIdFor(config.botOpenId),
  };
  const store = new ChatStore(events, now, bot);
  const log = new ActivityLog(events);
  const faults = new FaultInjector(resolved.random);
  const token = tenantAccessToken(config.appId, config.appSecret);
  const messageService = new MessageService(store, config, now, rateLimits);
  const server = buildApiServer({ config, token, messages: messageService, faults, log, now, rateLimits });
  const hub = new LongConnectionHub(options.longConnection, resolved.random);
  registerWsEndpoint(server, config, hub);
  hub.attach(server.server);
  const closing = new AbortController();
  const ctx = { config, store, log, now, deadlines, urls, closing: closing.signal, hub };
  const eventSender = new EventSender(ctx);
  const cardSender = new CardSender(ctx);
  let url: string | undefined;

  return {
    config,
    tenantAccessToken: token,
    events,
    faults,
    rateLimits,
    store,
    server,
    get url() {
      return url;
    },
    get eventUrl() {
      return urls.eventUrl;
    },
    get cardUrl() {
      return urls.cardUrl;
    },
    longConnection: hub,
    longConnectionStatus: () => hub.status(),
    async listen(port = 0, host = '127.0.0.1') {
      await server.listen({ port, host });
      const address = server.server.address();
      if (!address || typeof address === 'string') throw new Error('the sandbox is not listening on TCP');
      // A wildcard bind is reachable locally; hand out an address a client can actually dial.
      const wildcard = address.address === '0.0.0.0' || address.address === '::';
      const shownHost = wildcard
        ? '127.0.0.1'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
      url = `http://${shownHost}:${address.port}`;
      return { url };
    },
    async close() {
      closing.abort();
      hub.close();
      await server.close();
    },
    setBotUrls(next) {
      if (next.eventUrl !== undefined) urls.eventUrl = checkUrl(next.eventUrl);
      if (next.cardUrl !== undefined) urls.cardUrl = checkUrl(next.cardUrl);
    },
    setGroupMessages(scope) {
      if (scope !== 'mentions' && scope !== 'all') throw new Error(`not a group-message scope: ${scope}`);
      (config as SandboxConfig).groupMessages = scope;
    },
    sdkClientOptions() {
      if (!url) throw new Error('call sandbox.listen() first');
      return { appId: config.appId, appSecret: config.appSecret, domain: url };
    },
    addChat: (input) => store.addChat(input),
    addMember: (chatId, member) => store.addMember(chatId, member),
    removeBot: (chatId) => store.setBotMember(chatId, false),
    addBot: (chatId) => store.setBotMember(chatId, true),
    messages: (chatId) => store.messages(chatId),
    message: (messageId) => store.message(messageId),
    threadOf: (messageId) => store.threadOf(messageId),
    botMessages: (chatId) => store.botMessages(chatId),
    toasts: (messageId) => store.toasts(messageId),
    requests: () => log.requests(),
    deliveries: () => log.deliveries(),
    waitFor: (probe, timeoutMs = 5000) => waitForChange(events, probe, timeoutMs, () => describe(store)),
    userSays: (input, opts) => eventSender.userSays(input, opts),
    redeliver: (eventId, opts) => eventSender.redeliver(eventId, opts),
    click: (input, opts) => cardSender.click(input, opts),
    challenge: (input) => eventSender.challenge(input),
    async deliver(rawBody, headers, target, timeoutMs = deadlines.eventMs) {
      const at = now();
      const result = await post(target, rawBody, headers, timeoutMs);
      const { status, error, durationMs } = result;
      log.addDelivery({ at, kind: 'raw', url: target, attempt: 1, status, error, durationMs });
      return result;
    },
  };
}

/** A one-line picture of the store for waitFor's timeout message. */
function describe(store: ChatStore): string {
  const messages = store.messages();
  const last = messages.at(-1);
  return `${messages.length} messages (${store.botMessages().length} from the bot), ${store.toasts().length} toasts; last: ${
    last ? `${last.sender.type} ${last.msgType} ${last.rawContent.slice(0, 120)}` : 'none'
  }`;
}

export { checkCard, V2_TOP_LEVEL_KEYS } from './card-validation.js';
export type { SignOverrides } from './delivery.js';
export { LARK_RETRY_SCHEDULE_MS } from './event-sender.js';
export type { FaultApi, FaultSettings } from './faults.js';
export type { Deadlines, GroupMessageScope } from './options.js';
export { APP_ID_PATTERN } from './options.js';
export type * from './types.js';
export { mountWebChat, type Persona, type WebChatOptions, type WebLocale } from './web/index.js';
export type { ClientConfig, EndpointFault, LongConnectionStatus } from './ws-hub.js';
export type {
  AddChatInput,
  ChallengeInput,
  ChallengeResult,
  ClickInput,
  ClickOptions,
  ClickResult,
  DeliveryResult,
  EventDeliveryOptions,
  EventDeliveryResult,
  MemberInput,
  Probe,
  RateLimits,
  SandboxConfig,
  SandboxOptions,
  UserSaysInput,
  UserSaysResult,
};
