import { checkCard, isPlainObject } from './card-validation.js';
import { type DeliveryResult, encodeBody, type SignOverrides } from './delivery.js';
import { cardActionEvent, header } from './envelopes.js';
import { newCardToken, newEventId } from './ids.js';
import { deliverAttempt, overLongConnection, requireUrl, type SenderContext } from './sender-context.js';
import type { StoredMessage, ToastRecord } from './types.js';

/** Lark client errors a person sees when the callback goes wrong (LARK.md §3.1; community-reported codes). */
const TIMEOUT = 200341;
const BAD_ANSWER = 200340;

export interface ClickInput {
  operatorOpenId: string;
  /** The card's message id (must be an interactive message in the store). */
  messageId: string;
  /** The button's `behaviors[].value`, delivered as `event.action.value`. */
  value: unknown;
  name?: string;
  /** @defaultValue 'button' */
  tag?: string;
  formValue?: Record<string, unknown>;
  /** @defaultValue 32 random hex digits */
  eventId?: string;
}

export interface ClickOptions extends SignOverrides {
  token?: string;
  /** @defaultValue the card URL, else the event URL */
  url?: string;
  /** @defaultValue deadlines.callbackMs (3000) */
  timeoutMs?: number;
}

export interface ClickResult extends DeliveryResult {
  eventId: string;
  /** The response text as received (same as `body`). */
  raw: string;
  /** The toast the person saw: the bot's, or Lark's error toast (with `code`) when the answer was unusable. */
  toast?: ToastRecord;
  /** The card that replaced the message's card, when the answer carried a valid one. */
  card?: Record<string, unknown>;
}

/** A person pressing a card button: one `card.action.trigger`, no retries, answer applied at once. */
export class CardSender {
  constructor(private readonly ctx: SenderContext) {}

  async click(input: ClickInput, options: ClickOptions = {}): Promise<ClickResult> {
    const { store, config, urls } = this.ctx;
    const url = requireUrl(options.url ?? urls.cardUrl ?? urls.eventUrl, 'card callback', this.ctx);
    const message = store.requireMessage(input.messageId);
    if (message.msgType !== 'interactive') throw new Error(`message ${message.messageId} is not a card`);
    const operator = store.user(input.operatorOpenId);
    const eventId = input.eventId ?? newEventId();
    const token = options.token ?? config.verificationToken;
    const envelope = cardActionEvent(
      header(config, 'card.action.trigger', eventId, this.ctx.now(), token),
      config,
      {
        operator,
        cardToken: newCardToken(),
        value: input.value,
        tag: input.tag ?? 'button',
        name: input.name,
        formValue: input.formValue,
        message,
      },
    );
    const overWs = overLongConnection(this.ctx, options.url);
    const result = await deliverAttempt(this.ctx, {
      kind: 'callback',
      url,
      rawBody: encodeBody(envelope, config.encryptKey),
      ...(overWs ? { plaintext: JSON.stringify(envelope) } : {}),
      timeoutMs: options.timeoutMs ?? this.ctx.deadlines.callbackMs,
      attempt: 1,
      eventId,
      overrides: options,
    });
    return { ...result, eventId, raw: result.body, ...this.apply(result, message, operator.openId) };
  }

  /** What the Lark client does with the answer: show the toast, swap the card, or show its own error. */
  private apply(
    result: DeliveryResult,
    message: StoredMessage,
    operatorOpenId: string,
  ): { toast?: ToastRecord; card?: Record<string, unknown> } {
    const larkError = (code: number, content: string) => ({
      toast: this.ctx.store.addToast({
        messageId: message.messageId,
        chatId: message.chatId,
        operatorOpenId,
        type: 'error',
        content: `${code} ${content}`,
        code,
        source: 'lark',
      }),
    });
    if (result.error === 'timeout') return larkError(TIMEOUT, 'timeout');
    if (result.error) return larkError(BAD_ANSWER, `callback failed: ${result.errorMessage ?? result.error}`);
    if (result.status !== 200) return larkError(BAD_ANSWER, `callback answered HTTP ${result.status}`);
    if (!isPlainObject(result.json)) return larkError(BAD_ANSWER, 'callback answer is not a JSON object');
    const answer = result.json;
    let card: Record<string, unknown> | undefined;
    if (answer.card !== undefined) {
      const parsed = parseCard(answer.card);
      if (typeof parsed === 'string') return larkError(BAD_ANSWER, parsed);
      this.ctx.store.replaceContent(message.messageId, parsed.card, parsed.rawContent, 'callback');
      card = parsed.card;
    }
    if (answer.toast === undefined) return card ? { card } : {};
    const t = answer.toast;
    if (!isPlainObject(t) || typeof t.content !== 'string') {
      return { ...larkError(BAD_ANSWER, 'toast needs a string content'), ...(card ? { card } : {}) };
    }
    const toast = this.ctx.store.addToast({
      messageId: message.messageId,
      chatId: message.chatId,
      operatorOpenId,
      type: typeof t.type === 'string' ? t.type : 'info',
      content: t.content,
      i18n: isPlainObject(t.i18n) ? (t.i18n as Record<string, string>) : undefined,
      source: 'bot',
    });
    return card ? { toast, card } : { toast };
  }
}

/** `card: {type: 'raw', data}` where data is the card object or, as some report, its JSON string. */
function parseCard(value: unknown): { card: Record<string, unknown>; rawContent: string } | string {
  if (!isPlainObject(value) || value.type !== 'raw') return 'card must be {"type":"raw","data":…}';
  let data = value.data;
  let rawContent: string | undefined;
  if (typeof data === 'string') {
    rawContent = data;
    try {
      data = JSON.parse(data);
    } catch {
      return 'card.data is a string but not JSON';
    }
  }
  const check = checkCard(data);
  if (!check.ok) return `card rejected: ErrCode ${check.errCode}; ${check.reason}`;
  return { card: check.card, rawContent: rawContent ?? JSON.stringify(check.card) };
}
