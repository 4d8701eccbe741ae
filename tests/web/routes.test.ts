import { get, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { mountWebChat, type Persona } from '../../src/sandbox/web/index.js';
import { type FakeBot, startFakeBot } from '../sandbox/helpers/fake-bot.js';
import { sdkClient, v2Card } from '../sandbox/helpers/sdk.js';

const CHAT = 'oc_incident';
const PERSONAS: Persona[] = [
  { openId: 'ou_oncall', name: 'Wang Wei (on-call)', role: 'On-call' },
  { openId: 'ou_lead_a', name: 'Li Na (Tech Lead)', role: 'Tech Lead' },
];
const TOAST = { type: 'success', content: 'Approved', i18n: { zh_cn: '已批准', en_us: 'Approved' } };

let bot: FakeBot;
let sandbox: Sandbox;
let url: string;

beforeEach(async () => {
  // Events are acknowledged with {}; card clicks get a toast and a replacement card, as the real bot does.
  bot = await startFakeBot((req) =>
    req.path === '/card' ? { body: { toast: TOAST, card: { type: 'raw', data: v2Card('Approved') } } } : {},
  );
  sandbox = createSandbox({ eventUrl: `${bot.url}/events`, cardUrl: `${bot.url}/card` });
  mountWebChat(sandbox, { personas: PERSONAS, defaultChatId: CHAT });
  ({ url } = await sandbox.listen());
  sandbox.addChat({ chatId: CHAT, name: 'Incident', members: [{ openId: 'ou_oncall', name: 'On-call' }] });
});

afterEach(async () => {
  await sandbox?.close();
  await bot?.close();
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

async function postCard(title: string): Promise<string> {
  const created = await sdkClient(sandbox).im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(v2Card(title)) },
  });
  return created.data?.message_id as string;
}

/** An SSE client (node:http: a plain socket the test can drop) collecting everything the stream sends. */
async function openStream() {
  const req = get(`${url}/web/api/stream`);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  res.setEncoding('utf8');
  let text = '';
  let ended = false;
  res.on('data', (chunk: string) => {
    text += chunk;
  });
  res.on('end', () => {
    ended = true;
  });
  return {
    headers: res.headers,
    /** Waits until `done(everything received so far)` holds. */
    async until(done: (text: string) => boolean): Promise<string> {
      await vi.waitFor(
        () => {
          if (!done(text)) throw new Error(ended ? `stream ended: ${text}` : `not yet: ${text}`);
        },
        { timeout: 3000, interval: 10 },
      );
      return text;
    },
    get ended() {
      return ended;
    },
    close: () => req.destroy(),
  };
}

describe('mountWebChat routes', () => {
  it('serves the page and its assets, and nothing else', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/web/app.js">');
    for (const file of ['app.js', 'card.js', 'markdown.js', 'layout.css', 'card.css']) {
      const res = await fetch(`${url}/web/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(file.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    expect((await fetch(`${url}/web/nope.js`)).status).toBe(404);
    expect((await fetch(`${url}/web/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('gives the state: chats, people, personas, messages without history, toasts', async () => {
    await postCard('Hello');
    const state = (await (await fetch(`${url}/web/api/state`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({
      defaultChatId: CHAT,
      defaultLocale: 'en_us',
      botName: 'RollbackBot',
      personas: PERSONAS,
      bot: { openId: 'ou_rollbackbot', name: 'RollbackBot' },
      chats: [{ chatId: CHAT, name: 'Incident', members: ['ou_oncall'], botMember: true }],
      toasts: [],
    });
    const messages = state.messages as Array<Record<string, unknown>>;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ msgType: 'interactive', versions: 1, chatId: CHAT });
    expect(messages[0]).not.toHaveProperty('history');
  });

  it('says: delivers what was typed, mentions as Lark makes them, only what the scope lets the bot read', async () => {
    const said = await post('/web/api/say', {
      chatId: CHAT,
      as: 'ou_oncall',
      text: '@RollbackBot /rollback emergency',
    });
    expect(said.status).toBe(200);
    expect(said.json).toMatchObject({ status: 200, delivered: true });
    const message = sandbox.message(said.json.messageId as string);
    expect(message?.content).toEqual({ text: '@_user_1 /rollback emergency' });
    expect(message?.mentions).toEqual([{ key: '@_user_1', openId: 'ou_rollbackbot', name: 'RollbackBot' }]);
    expect(message?.sender).toMatchObject({ openId: 'ou_oncall', name: 'Wang Wei (on-call)' });
    expect(bot.received.filter((r) => r.path === '/events')).toHaveLength(1);

    // No mention typed: nothing is added; the message is in the chat, but the bot never hears of it.
    const plain = await post('/web/api/say', { chatId: CHAT, as: 'ou_lead_a', text: '/rollback status' });
    expect(plain.json).toMatchObject({ delivered: false });
    expect(sandbox.message(plain.json.messageId as string)?.content).toEqual({ text: '/rollback status' });
    expect(sandbox.store.chat(CHAT)?.members).toContain('ou_lead_a');
    expect(bot.received.filter((r) => r.path === '/events')).toHaveLength(1);

    // A bare mention is delivered (the bot answers it), and a lower-case one is one mention, not two.
    const bare = await post('/web/api/say', { chatId: CHAT, as: 'ou_oncall', text: '@RollbackBot' });
    expect(bare.json).toMatchObject({ delivered: true, status: 200 });
    const lower = await post('/web/api/say', { chatId: CHAT, as: 'ou_oncall', text: '@rollbackbot help' });
    expect(sandbox.message(lower.json.messageId as string)?.content).toEqual({ text: '@_user_1 help' });
    expect(bot.received.filter((r) => r.path === '/events')).toHaveLength(3);

    // With the "read all group messages" scope, a message without a mention reaches the bot too.
    expect((await post('/web/api/scope', { groupMessages: 'all' })).json).toEqual({ groupMessages: 'all' });
    const all = await post('/web/api/say', { chatId: CHAT, as: 'ou_lead_a', text: 'anyone there?' });
    expect(all.json).toMatchObject({ delivered: true });
    expect(bot.received.filter((r) => r.path === '/events')).toHaveLength(4);
    expect((await post('/web/api/scope', { groupMessages: 'some' })).status).toBe(400);
    await post('/web/api/scope', { groupMessages: 'mentions' });
  });

  it('refuses bad input with 400 and a message', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/web/api/say', '{not json', /json/i],
      ['/web/api/say', [1, 2], /JSON object/],
      ['/web/api/say', { chatId: 'oc_nope', as: 'ou_oncall', text: 'hi' }, /unknown chat oc_nope/],
      ['/web/api/say', { chatId: CHAT, as: 'ou_mallory', text: 'hi' }, /unknown persona ou_mallory/],
      ['/web/api/say', { chatId: CHAT, as: 'ou_oncall', text: '' }, /text must be/],
      ['/web/api/say', { chatId: CHAT, as: 'ou_oncall', text: '   ' }, /empty/],
      ['/web/api/click', { messageId: 'om_nope', as: 'ou_lead_a', value: {} }, /unknown message/],
      ['/web/api/click', { as: 'ou_lead_a', value: {} }, /messageId must be/],
    ];
    for (const [path, body, error] of cases) {
      const res = await post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(error);
    }
    const text = await post('/web/api/say', { chatId: CHAT, as: 'ou_oncall', text: 'hello' });
    const notCard = await post('/web/api/click', {
      messageId: text.json.messageId,
      as: 'ou_lead_a',
      value: {},
    });
    expect(notCard).toMatchObject({ status: 400, json: { error: expect.stringMatching(/not a card/) } });
    const cardId = await postCard('Approve?');
    const stranger = await post('/web/api/click', { messageId: cardId, as: 'ou_mallory', value: {} });
    expect(stranger).toMatchObject({ status: 400, json: { error: 'unknown persona ou_mallory' } });
    expect(bot.received.filter((r) => r.path === '/card')).toHaveLength(0);
  });

  it('clicks as the persona and answers with the toast; the card is replaced', async () => {
    const cardId = await postCard('Approve?');
    const res = await post('/web/api/click', {
      messageId: cardId,
      as: 'ou_lead_a',
      value: { action: 'approve', run: 'r1' },
      name: 'approve_btn',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 200,
      cardReplaced: true,
      toast: { ...TOAST, operatorOpenId: 'ou_lead_a' },
    });
    const callback = JSON.parse(bot.received.find((r) => r.path === '/card')?.rawBody ?? '{}');
    expect(callback.event.action).toMatchObject({
      value: { action: 'approve', run: 'r1' },
      name: 'approve_btn',
    });
    expect(callback.event.operator.open_id).toBe('ou_lead_a');
    expect(sandbox.message(cardId)?.history).toHaveLength(2);
  });

  it('streams changes over SSE: a card update arrives in place, listeners go when the client does', async () => {
    const cardId = await postCard('Approve?');
    const before = sandbox.events.listenerCount('update');
    const stream = await openStream();
    expect(stream.headers['content-type']).toContain('text/event-stream');
    await stream.until((t) => t.includes(': connected'));
    expect(sandbox.events.listenerCount('update')).toBe(before + 1);

    await post('/web/api/click', { messageId: cardId, as: 'ou_lead_a', value: { action: 'approve' } });
    const text = await stream.until((t) => /event: toast\n/.test(t) && /event: update\n/.test(t));
    const message = JSON.parse(/event: update\ndata: (.*)\n\n/.exec(text)?.[1] ?? '');
    expect(message).toMatchObject({ messageId: cardId, versions: 2 });
    expect(message.content.header.title.content).toBe('Approved');
    expect(message).not.toHaveProperty('history');
    const toast = JSON.parse(/event: toast\ndata: (.*)\n\n/.exec(text)?.[1] ?? '');
    expect(toast).toMatchObject({ ...TOAST, messageId: cardId, operatorOpenId: 'ou_lead_a' });

    // A persona who speaks joins the chat under their persona name: the page learns it as a `chats` event.
    const said = await post('/web/api/say', { chatId: CHAT, as: 'ou_lead_a', text: 'on it' });
    const more = await stream.until(
      (t) => t.includes('event: chats') && t.includes(said.json.messageId as string),
    );
    expect(more).toContain('"ou_lead_a":"Li Na (Tech Lead)"');
    expect(more).toMatch(/event: message\ndata: \{[^\n]*"text":"on it"/);

    stream.close();
    await vi.waitFor(() => expect(sandbox.events.listenerCount('update')).toBe(before), { timeout: 2000 });
  });

  it('closes the sandbox promptly with a stream still open', async () => {
    const stream = await openStream();
    await stream.until((t) => t.includes(': connected'));
    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await vi.waitFor(() => expect(stream.ended).toBe(true), { timeout: 1000 });
    expect(sandbox.events.listenerCount('message')).toBe(0);
  });

  it('must be mounted before listen', async () => {
    expect(() => mountWebChat(sandbox, { personas: PERSONAS })).toThrow(/before sandbox.listen/);
    expect(() => mountWebChat(createSandbox(), { personas: [] })).toThrow(/personas/);
  });
});
