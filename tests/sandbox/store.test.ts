import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, type StoredMessage } from '../../src/sandbox/index.js';
import { encodeMentions } from '../../src/sandbox/mentions.js';
import { type FakeBot, startFakeBot } from './helpers/fake-bot.js';
import { sdkClient, v2Card } from './helpers/sdk.js';

const CHAT = 'oc_store';

let sandbox: Sandbox;
let bot: FakeBot;

beforeEach(async () => {
  bot = await startFakeBot();
  sandbox = createSandbox({ eventUrl: `${bot.url}/lark/events` });
  sandbox.addChat({ chatId: CHAT, name: 'Store', members: [{ openId: 'ou_alice', name: 'Alice' }] });
  await sandbox.listen();
});

afterEach(async () => {
  await sandbox.close();
  await bot.close();
});

const sendCard = () =>
  sdkClient(sandbox).im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(v2Card('x')) },
  });

describe('waitFor', () => {
  it('resolves with the first truthy value once the store changes', async () => {
    const waiting = sandbox.waitFor(() => sandbox.botMessages(CHAT)[0], 2000);
    setTimeout(() => void sendCard(), 50);
    const message = await waiting;
    expect(message.msgType).toBe('interactive');
  });

  it('resolves at once when already true, and rejects with a picture of the store on timeout', async () => {
    await expect(sandbox.waitFor(() => 'yes', 10)).resolves.toBe('yes');
    await expect(sandbox.waitFor(() => sandbox.botMessages().length > 0, 50)).rejects.toThrow(
      'sandbox.waitFor timed out after 50 ms: 0 messages (0 from the bot), 0 toasts; last: none',
    );
  });
});

describe('events and records', () => {
  it('emits message for user and bot messages, in order, as plain JSON', async () => {
    const seen: StoredMessage[] = [];
    sandbox.events.on('message', (m) => seen.push(m));
    await sandbox.userSays({ chatId: CHAT, senderOpenId: 'ou_alice', text: '/rollback help' });
    await sendCard();
    expect(seen.map((m) => [m.seq, m.sender.type, m.msgType])).toEqual([
      [1, 'user', 'text'],
      [2, 'app', 'interactive'],
    ]);
    const messages = sandbox.messages(CHAT);
    expect(JSON.parse(JSON.stringify(messages))).toEqual(messages);
  });

  it("places a person's reply in the card's thread and tells the bot where it is", async () => {
    const card = (await sendCard()).data?.message_id as string;
    await sdkClient(sandbox).im.v1.message.reply({
      path: { message_id: card },
      data: { msg_type: 'text', content: '{"text":"step 1"}', reply_in_thread: true },
    });
    const threadId = sandbox.message(card)?.threadId;
    sandbox.setGroupMessages('all'); // a reply without a mention reaches the bot only with this scope
    const said = await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_alice',
      text: 'looks good',
      mentionBot: false,
      replyTo: card,
    });
    const message = JSON.parse(bot.received.at(-1)?.rawBody ?? '').event.message;
    expect(message).toMatchObject({
      message_id: said.messageId,
      root_id: card,
      parent_id: card,
      thread_id: threadId,
    });
    expect(sandbox.threadOf(card).map((m) => m.sender.type)).toEqual(['app', 'user']);
    expect(sandbox.threadOf(said.messageId)).toHaveLength(2);
  });

  it('needs a known chat to speak in', async () => {
    await expect(
      sandbox.userSays({ chatId: 'oc_nope', senderOpenId: 'ou_alice', text: 'x' }),
    ).rejects.toThrow(/unknown chat oc_nope/);
    expect(() => sandbox.addChat({ chatId: CHAT })).toThrow(/already exists/);
  });
});

describe('encodeMentions', () => {
  const users = [
    { openId: 'ou_ann', name: 'Ann', unionId: 'on_a', userId: 'a' },
    { openId: 'ou_annlee', name: 'Ann Lee', unionId: 'on_b', userId: 'b' },
  ];

  it('numbers mentions by position and prefers the longer name', () => {
    expect(encodeMentions('@Ann Lee and @Ann, not @Zed', users)).toEqual({
      text: '@_user_1 and @_user_2, not @Zed',
      mentions: [
        { key: '@_user_1', openId: 'ou_annlee', name: 'Ann Lee' },
        { key: '@_user_2', openId: 'ou_ann', name: 'Ann' },
      ],
    });
  });
});
