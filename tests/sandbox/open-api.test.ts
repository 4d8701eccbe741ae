import type * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { failure, sdkClient, v2Card } from './helpers/sdk.js';

const CHAT = 'oc_incident';
const DAY = 24 * 60 * 60 * 1000;

let sandbox: Sandbox;
let client: lark.Client;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2025, 0, 6, 9, 0, 0);
  sandbox = createSandbox({ appSecret: 'secret-1', now: () => clock });
  sandbox.addChat({ chatId: CHAT, name: 'Incident', members: [{ openId: 'ou_alice', name: 'Alice' }] });
  await sandbox.listen();
  client = sdkClient(sandbox);
});

afterEach(async () => {
  await sandbox.close();
});

const sendCard = (title: string, uuid?: string) =>
  client.im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(v2Card(title)), uuid },
  });

describe('token and bot info', () => {
  it('hands out a token derived from app id and secret, the same in a restarted sandbox', async () => {
    const res = await fetch(`${sandbox.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: 'cli_a1b2c3d4e5f60718', app_secret: 'secret-1' }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toEqual({
      code: 0,
      msg: 'ok',
      tenant_access_token: sandbox.tenantAccessToken,
      expire: 7200,
    });
    expect(sandbox.tenantAccessToken).toMatch(/^t-[0-9a-f]{40}$/);
    expect(createSandbox({ appSecret: 'secret-1' }).tenantAccessToken).toBe(sandbox.tenantAccessToken);
    expect(createSandbox({ appSecret: 'secret-2' }).tenantAccessToken).not.toBe(sandbox.tenantAccessToken);
  });

  it('refuses a wrong secret with 10014', async () => {
    const res = await fetch(`${sandbox.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: 'cli_a1b2c3d4e5f60718', app_secret: 'nope' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 10014, msg: 'app secret invalid' });
  });

  it('answers bot info through the SDK', async () => {
    const info = await client.request({ url: '/open-apis/bot/v3/info', method: 'GET' });
    expect(info).toEqual({
      code: 0,
      msg: 'ok',
      bot: { activate_status: 2, app_name: 'RollbackBot', ip_white_list: [], open_id: 'ou_rollbackbot' },
    });
  });

  it('refuses a call without the token, and records it', async () => {
    const res = await fetch(`${sandbox.url}/open-apis/bot/v3/info`, {
      headers: { authorization: 'Bearer t-wrong' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 99991663, msg: 'Invalid access token for authorization.' });
    expect(sandbox.requests().at(-1)).toMatchObject({
      method: 'GET',
      api: 'bot_info',
      status: 400,
      code: 99991663,
    });
  });

  it('rejects an app id that does not look like a real one', () => {
    expect(() => createSandbox({ appId: 'cli_short' })).toThrow(/must match/);
  });
});

describe('create, reply, patch', () => {
  it('creates a card and answers with the full message object', async () => {
    const res = await sendCard('Rollback requested');
    const stored = sandbox.botMessages(CHAT)[0];
    expect(stored).toBeDefined();
    expect(res).toEqual({
      code: 0,
      msg: 'success',
      data: {
        message_id: stored?.messageId,
        msg_type: 'interactive',
        create_time: String(clock),
        update_time: String(clock),
        deleted: false,
        updated: false,
        chat_id: CHAT,
        sender: {
          id: 'cli_a1b2c3d4e5f60718',
          id_type: 'app_id',
          sender_type: 'app',
          tenant_key: '736588c9260f175d',
        },
        body: { content: JSON.stringify(v2Card('Rollback requested')) },
      },
    });
    expect(stored?.messageId).toMatch(/^om_[0-9a-f]{32}$/);
    expect(stored?.content).toEqual(v2Card('Rollback requested'));
    expect(stored?.sender).toEqual({
      type: 'app',
      appId: 'cli_a1b2c3d4e5f60718',
      openId: 'ou_rollbackbot',
      name: 'RollbackBot',
    });
  });

  it('puts in-thread replies in one stable thread under the root', async () => {
    const card = await sendCard('Run 1');
    const rootId = card.data?.message_id as string;
    const reply = (text: string, inThread: boolean) =>
      client.im.v1.message.reply({
        path: { message_id: rootId },
        data: { msg_type: 'text', content: JSON.stringify({ text }), reply_in_thread: inThread },
      });
    const first = await reply('step 1 started', true);
    const second = await reply('step 1 done', true);
    const quoted = await reply('not in the thread', false);
    expect(first.data?.thread_id).toMatch(/^omt_[0-9a-f]{16}$/);
    expect(second.data?.thread_id).toBe(first.data?.thread_id);
    expect(first.data).toMatchObject({ root_id: rootId, parent_id: rootId, msg_type: 'text' });
    expect(quoted.data?.thread_id).toBeUndefined();
    expect(sandbox.message(rootId)?.threadId).toBe(first.data?.thread_id);
    expect(sandbox.threadOf(rootId).map((m) => m.content)).toEqual([
      { text: 'step 1 started' },
      { text: 'step 1 done' },
    ]);
  });

  it('patches a card as a full replace and keeps the history', async () => {
    const created = await sendCard('Awaiting approval');
    const id = created.data?.message_id as string;
    clock += 1500;
    const res = await client.im.v1.message.patch({
      path: { message_id: id },
      data: { content: JSON.stringify(v2Card('Running')) },
    });
    expect(res).toEqual({ code: 0, msg: 'success', data: {} });
    const stored = sandbox.message(id);
    expect(stored?.content).toEqual(v2Card('Running'));
    expect(stored?.updateTime).toBe(clock);
    expect(
      stored?.history.map((v) => [v.source, (v.content as ReturnType<typeof v2Card>).header.title.content]),
    ).toEqual([
      ['create', 'Awaiting approval'],
      ['patch', 'Running'],
    ]);
  });

  it('refuses to patch a card older than 14 days with 230031', async () => {
    const id = (await sendCard('Old')).data?.message_id as string;
    clock += 14 * DAY + 1;
    const err = await failure(
      client.im.v1.message.patch({
        path: { message_id: id },
        data: { content: JSON.stringify(v2Card('x')) },
      }),
    );
    expect(err.status).toBe(400);
    expect(err.data.code).toBe(230031);
    expect(sandbox.message(id)?.history).toHaveLength(1);
  });

  it('refuses to patch a message the bot did not send (230012), a text (230001), an unknown id (230001)', async () => {
    const user = sandbox.store.addMessage({
      messageId: 'om_user',
      chatId: CHAT,
      sender: { type: 'user', openId: 'ou_alice', name: 'Alice' },
      msgType: 'interactive',
      content: v2Card('theirs'),
      rawContent: JSON.stringify(v2Card('theirs')),
      createTime: clock,
    });
    const text = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'text', content: JSON.stringify({ text: 'hi' }) },
    });
    const patch = (id: string) =>
      failure(
        client.im.v1.message.patch({
          path: { message_id: id },
          data: { content: JSON.stringify(v2Card('x')) },
        }),
      );
    expect((await patch(user.messageId)).data.code).toBe(230012);
    expect((await patch(text.data?.message_id as string)).data.code).toBe(230001);
    expect((await patch('om_nope')).data.code).toBe(230001);
  });
});

describe('uuid idempotency', () => {
  it('returns the same message for the same uuid within an hour, a new one after', async () => {
    const a = await sendCard('A', 'rb_1-approval-card');
    const b = await sendCard('A', 'rb_1-approval-card');
    expect(b.data?.message_id).toBe(a.data?.message_id);
    expect(sandbox.botMessages(CHAT)).toHaveLength(1);
    clock += 60 * 60 * 1000;
    const c = await sendCard('A', 'rb_1-approval-card');
    expect(c.data?.message_id).not.toBe(a.data?.message_id);
    expect(sandbox.botMessages(CHAT)).toHaveLength(2);
  });

  it('dedupes replies too', async () => {
    const root = (await sendCard('root')).data?.message_id as string;
    const reply = () =>
      client.im.v1.message.reply({
        path: { message_id: root },
        data: {
          msg_type: 'text',
          content: '{"text":"step"}',
          reply_in_thread: true,
          uuid: 'rb_1-step-1-start',
        },
      });
    expect((await reply()).data?.message_id).toBe((await reply()).data?.message_id);
    expect(sandbox.threadOf(root)).toHaveLength(1);
  });

  it('rejects a uuid longer than 50 characters with 230001', async () => {
    const err = await failure(sendCard('A', 'x'.repeat(51)));
    expect(err).toMatchObject({ status: 400, data: { code: 230001 } });
    expect(sandbox.botMessages()).toHaveLength(0);
    await expect(sendCard('A', 'x'.repeat(50))).resolves.toMatchObject({ code: 0 });
  });
});

describe('the server beyond the Open API', () => {
  it('leaves routes a web UI adds unguarded and unlogged, and answers unknown Open API paths with 404', async () => {
    const ui = createSandbox();
    ui.server.get('/ui/state', async () => ({ chats: ui.store.chats().length }));
    const { url } = await ui.listen(0, '0.0.0.0');
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(`${url}/ui/state`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ chats: 0 });
      const unknown = await fetch(`${url}/open-apis/im/v1/chats`, {
        headers: { authorization: `Bearer ${ui.tenantAccessToken}` },
      });
      expect(unknown.status).toBe(404);
      expect(ui.requests().map((r) => [r.path, r.api, r.status])).toEqual([
        ['/open-apis/im/v1/chats', 'other', 404],
      ]);
    } finally {
      await ui.close();
    }
  });
});
