import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptPayload, signBody } from '../../src/lark/crypto.js';
import {
  createSandbox,
  type Sandbox,
  type StoredMessage,
  type ToastRecord,
} from '../../src/sandbox/index.js';
import { type FakeBot, startFakeBot } from './helpers/fake-bot.js';
import { sdkClient, v2Card } from './helpers/sdk.js';

const CLOCK = 1_700_000_500_000;
const CHAT = 'oc_incident';

let bot: FakeBot;
let sandbox: Sandbox;
let cardId: string;

async function setUp(options: { encryptKey?: string; callbackMs?: number; separateCardUrl?: boolean } = {}) {
  sandbox = createSandbox({
    encryptKey: options.encryptKey,
    verificationToken: 'vt-123',
    eventUrl: `${bot.url}/lark/events`,
    cardUrl: options.separateCardUrl ? `${bot.url}/lark/card` : undefined,
    now: () => CLOCK,
    deadlines: { callbackMs: options.callbackMs ?? 3000 },
  });
  sandbox.addChat({
    chatId: CHAT,
    members: [{ openId: 'ou_lead', name: 'Lead', unionId: 'on_lead', userId: 'lead01' }],
  });
  await sandbox.listen();
  const created = await sdkClient(sandbox).im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(v2Card('Approve?')) },
  });
  cardId = created.data?.message_id as string;
}

const approve = () =>
  sandbox.click({
    operatorOpenId: 'ou_lead',
    messageId: cardId,
    value: { action: 'approve', request_id: 'rb_1' },
    name: 'approve_btn',
    eventId: 'ev_click',
  });

beforeEach(async () => {
  bot = await startFakeBot();
});

afterEach(async () => {
  await sandbox?.close();
  await bot.close();
});

describe('click', () => {
  it('posts the exact card.action.trigger envelope to the card URL', async () => {
    await setUp({ separateCardUrl: true });
    await approve();
    const req = bot.received[0];
    expect(req?.path).toBe('/lark/card');
    const envelope = JSON.parse(req?.rawBody ?? '');
    expect(envelope.event.token).toMatch(/^c-[0-9a-f]{40}$/);
    expect(envelope).toEqual({
      schema: '2.0',
      header: {
        event_id: 'ev_click',
        event_type: 'card.action.trigger',
        create_time: String(CLOCK),
        token: 'vt-123',
        app_id: 'cli_a1b2c3d4e5f60718',
        tenant_key: '736588c9260f175d',
      },
      event: {
        operator: {
          tenant_key: '736588c9260f175d',
          union_id: 'on_lead',
          user_id: 'lead01',
          open_id: 'ou_lead',
        },
        token: envelope.event.token,
        action: { value: { action: 'approve', request_id: 'rb_1' }, tag: 'button', name: 'approve_btn' },
        host: 'im_message',
        context: { open_message_id: cardId, open_chat_id: CHAT },
      },
    });
  });

  it.each([
    ['an object', (card: object) => card],
    ['a JSON string', (card: object) => JSON.stringify(card)],
  ])('applies a returned card given as %s, and records the toast', async (_form, encode) => {
    await setUp();
    const next = v2Card('Approved by Lead');
    bot.setHandler(() => ({
      body: {
        toast: { type: 'success', content: 'Approved', i18n: { zh_cn: '已批准', en_us: 'Approved' } },
        card: { type: 'raw', data: encode(next) },
      },
    }));
    const updates: StoredMessage[] = [];
    const toasts: ToastRecord[] = [];
    sandbox.events.on('update', ({ message }) => updates.push(message));
    sandbox.events.on('toast', (t) => toasts.push(t));
    const result = await approve();
    expect(result.status).toBe(200);
    expect(result.card).toEqual(next);
    expect(result.toast).toEqual({
      seq: 1,
      at: CLOCK,
      messageId: cardId,
      chatId: CHAT,
      operatorOpenId: 'ou_lead',
      type: 'success',
      content: 'Approved',
      i18n: { zh_cn: '已批准', en_us: 'Approved' },
      source: 'bot',
    });
    expect(sandbox.message(cardId)?.content).toEqual(next);
    expect(sandbox.message(cardId)?.history.map((v) => v.source)).toEqual(['create', 'callback']);
    expect(updates.map((m) => m.messageId)).toEqual([cardId]);
    expect(toasts).toEqual([result.toast]);
  });

  it('leaves the card alone on {}', async () => {
    await setUp();
    const result = await approve();
    expect(result).toMatchObject({ status: 200, raw: '{}' });
    expect(result.toast).toBeUndefined();
    expect(result.card).toBeUndefined();
    expect(sandbox.message(cardId)?.history).toHaveLength(1);
    expect(sandbox.toasts()).toEqual([]);
  });

  it("shows Lark's 200341 timeout toast when the bot is too slow", async () => {
    await setUp({ callbackMs: 150 });
    bot.setHandler(() => ({ delayMs: 400, body: { card: { type: 'raw', data: v2Card('late') } } }));
    const result = await approve();
    expect(result).toMatchObject({ status: 0, error: 'timeout' });
    expect(result.toast).toMatchObject({
      type: 'error',
      content: '200341 timeout',
      code: 200341,
      source: 'lark',
    });
    expect(sandbox.message(cardId)?.history).toHaveLength(1);
  });

  it.each([
    [
      'an invalid card',
      { status: 200, body: { card: { type: 'raw', data: { schema: '2.0', elements: [] } } } },
    ],
    ['a card string that is not JSON', { status: 200, body: { card: { type: 'raw', data: '{nope' } } }],
    ['a non-200 answer', { status: 401, body: {} }],
    ['an empty body', { status: 200, body: '' }],
  ])("shows Lark's 200340 error for %s and keeps the card", async (_name, answer) => {
    await setUp();
    bot.setHandler(() => answer);
    const result = await approve();
    expect(result.toast).toMatchObject({ type: 'error', code: 200340, source: 'lark' });
    expect(sandbox.message(cardId)?.content).toEqual(v2Card('Approve?'));
  });

  it('encrypts and signs the callback like an event', async () => {
    await setUp({ encryptKey: 'card-key' });
    await approve();
    const req = bot.received[0];
    if (!req) throw new Error('nothing received');
    const { encrypt } = JSON.parse(req.rawBody) as { encrypt: string };
    expect(JSON.parse(decryptPayload('card-key', encrypt)).header.event_type).toBe('card.action.trigger');
    const ts = req.headers['x-lark-request-timestamp'] as string;
    const nonce = req.headers['x-lark-request-nonce'] as string;
    expect(req.headers['x-lark-signature']).toBe(signBody(ts, nonce, 'card-key', req.rawBody));
  });

  it('refuses to click something that is not a card', async () => {
    await setUp();
    await expect(
      sandbox.click({ operatorOpenId: 'ou_lead', messageId: 'om_nope', value: {} }),
    ).rejects.toThrow(/unknown message/);
  });
});
