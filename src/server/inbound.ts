import { buildRunCard, cardResponse, toast } from '../../cards/index.js';
import {
  type CardActionValue,
  REJECT_REASON_FIELD,
  REJECT_REASON_MAX,
  type RenderOptions,
} from '../../cards/model.js';
import { parseCommand, RUN_ID } from '../commands/parse.js';
import { commandText, type InboundEvent } from '../lark/events.js';
import { control } from '../runs/controls.js';
import { decide } from '../runs/decide.js';
import { cardMessageIdOf } from '../runs/outbox-repo.js';
import type { RunsDeps } from '../runs/ports.js';
import { handleMessage } from '../runs/service.js';

const ACTIONS: readonly CardActionValue['action'][] = [
  'approve',
  'reject',
  'cancel_after_step',
  'cancel_now',
  'retry',
  'skip',
  'abort',
];

function actionValue(value: Record<string, unknown>): CardActionValue | undefined {
  const { action, run, plan } = value;
  if (typeof action !== 'string' || !ACTIONS.includes(action as CardActionValue['action'])) return undefined;
  if (typeof run !== 'string' || !RUN_ID.test(run)) return undefined;
  if (plan !== undefined && typeof plan !== 'string') return undefined;
  return { action: action as CardActionValue['action'], run, ...(plan !== undefined ? { plan } : {}) };
}

/** How long a click waits for its run's card send to be recorded (it races the send's answer by milliseconds). */
const CARD_RECORD_WAIT_MS = 1000;

/** The message id of the run's card, once its send is recorded; null if it is not (yet) known. */
async function recordedCardOf(pool: RunsDeps['pool'], runId: string): Promise<string | null> {
  const until = Date.now() + CARD_RECORD_WAIT_MS;
  for (;;) {
    const id = await cardMessageIdOf(pool, runId);
    if (id || Date.now() >= until) return id;
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The reject form's optional reason: trimmed, one line, clipped; nothing when empty. */
function rejectReason(
  value: CardActionValue,
  form: Record<string, unknown> | undefined,
): { reason?: string } {
  const raw = form?.[REJECT_REASON_FIELD];
  if (value.action !== 'reject' || typeof raw !== 'string') return {};
  const reason = raw.replace(/\s+/g, ' ').trim().slice(0, REJECT_REASON_MAX);
  return reason ? { reason } : {};
}

export interface InboundDeps {
  runs: RunsDeps;
  /** Called for a delivery acknowledged as a duplicate (metrics). */
  onDuplicate?: () => void;
  botOpenId: string;
  render: RenderOptions;
}

/**
 * Act on one verified event and return the HTTP body to answer with. Messages not meant for the bot are
 * answered without touching Postgres or Redis.
 */
export async function dispatchEvent(deps: InboundDeps, event: InboundEvent): Promise<object> {
  if (event.kind === 'ignored') return {};
  if (event.kind === 'message') {
    if (event.senderType !== 'user' || event.messageType !== 'text') return {};
    const mentioned = event.mentions.some((m) => m.openId === deps.botOpenId);
    const text = commandText(event, deps.botOpenId);
    if (text === undefined) return {};
    const command = parseCommand(text);
    if (!command && !mentioned) return {};
    const outcome = await handleMessage(deps.runs, {
      eventId: event.eventId,
      messageId: event.messageId,
      chatId: event.chatId,
      senderOpenId: event.senderOpenId,
      command,
    });
    if (outcome.duplicate) deps.onDuplicate?.();
    return {};
  }
  const value = actionValue(event.value);
  const locale = deps.render.locale;
  if (!value) {
    return cardResponse(
      toast('error', { 'zh-CN': '无法识别的操作。', 'en-US': 'Unrecognised action.' }, locale),
    );
  }
  // The answer's card replaces the card that was clicked: only the named run's own card may be answered with
  // that run's card. A click whose value names another run (forged, or a stale copy) changes nothing.
  const cardOf = await recordedCardOf(deps.runs.pool, value.run);
  if (cardOf && cardOf !== event.messageId) {
    return cardResponse(
      toast(
        'error',
        {
          'zh-CN': '这个按钮不属于这张卡片上的回滚，未做任何更改。',
          'en-US': 'This button does not belong to the run on this card; nothing was changed.',
        },
        locale,
      ),
    );
  }
  const click = { operatorOpenId: event.operatorOpenId, value, ...rejectReason(value, event.formValue) };
  // Approve / Reject decide a request; Cancel (after step, now) and a paused run's Retry / Skip / Abort are controls.
  const outcome =
    value.action === 'approve' || value.action === 'reject'
      ? await decide(deps.runs, click)
      : await control(deps.runs, click);
  // Not known yet (the card's send is not recorded): a toast alone, the card is patched through the outbox.
  const card = outcome.view && cardOf ? buildRunCard(outcome.view, deps.render) : undefined;
  return cardResponse(toast(outcome.toast.type, outcome.toast.text, locale), card);
}
