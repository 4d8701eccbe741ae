import type * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCard, createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { failure, sdkClient, v2Card } from './helpers/sdk.js';

const CHAT = 'oc_validation';

let sandbox: Sandbox;
let client: lark.Client;

beforeAll(async () => {
  // Many requests into one chat within a second: the per-chat limit is not what this file tests.
  sandbox = createSandbox({ rateLimits: { perChat: 1000 } });
  sandbox.addChat({ chatId: CHAT });
  sandbox.addChat({ chatId: 'oc_left' });
  sandbox.removeBot('oc_left');
  await sandbox.listen();
  client = sdkClient(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

const create = (data: { receive_id?: string; msg_type: string; content: unknown }) =>
  failure(
    client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, ...data } as { receive_id: string; msg_type: string; content: string },
    }),
  );

describe('content validation', () => {
  it('rejects a 2.0 card with an unknown top-level property (230099 wrapping 200621)', async () => {
    const err = await create({
      msg_type: 'interactive',
      content: JSON.stringify({ ...v2Card('x'), elements: [] }),
    });
    expect(err.status).toBe(400);
    expect(err.data.code).toBe(230099);
    expect(err.data.msg).toBe(
      'Failed to create card content, ext=ErrCode: 200621; ErrMsg: unknown property: elements',
    );
  });

  it.each([
    ['a 2.0 card without body.elements', { schema: '2.0', body: {} }],
    ['a 2.0 card with update_multi false', { ...v2Card('x'), config: { update_multi: false } }],
    ['a 1.0 card that is not shared', { config: { wide_screen_mode: true }, elements: [] }],
    ['an element without a tag', { schema: '2.0', body: { elements: [{ content: 'x' }] } }],
    ['schema 3.0', { schema: '3.0', body: { elements: [] } }],
  ])('rejects %s', async (_name, card) => {
    const err = await create({ msg_type: 'interactive', content: JSON.stringify(card) });
    expect(err.data.code).toBe(230099);
  });

  it('accepts a shared 1.0 card and the full 2.0 top level', async () => {
    const legacy = {
      config: { update_multi: true },
      elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'x' } }],
    };
    const full = { ...v2Card('x'), card_link: { url: 'https://example.com' } };
    for (const card of [legacy, full]) {
      const res = await client.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(card) },
      });
      expect(res.code).toBe(0);
    }
  });

  it('rejects content sent as an object instead of a JSON string', async () => {
    const err = await create({ msg_type: 'interactive', content: v2Card('x') });
    expect(err.data).toEqual({
      code: 230001,
      msg: 'Your request contains an invalid request parameter, ext=content must be a JSON string',
    });
  });

  it.each([
    ['not JSON', 'text', 'hello'],
    ['text without a text field', 'text', '{"content":"hello"}'],
    ['empty text', 'text', '{"text":"  "}'],
    ['an unsupported msg_type', 'image', '{"image_key":"img_x"}'],
  ])('rejects %s with 230001', async (_name, msgType, content) => {
    expect((await create({ msg_type: msgType, content })).data.code).toBe(230001);
  });

  it('enforces 30 KB for cards and 150 KB for text (230025)', async () => {
    const bigCard = {
      schema: '2.0',
      body: { elements: [{ tag: 'markdown', content: 'x'.repeat(30 * 1024) }] },
    };
    expect((await create({ msg_type: 'interactive', content: JSON.stringify(bigCard) })).data.code).toBe(
      230025,
    );
    const okText = JSON.stringify({ text: 'x'.repeat(100 * 1024) });
    const res = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'text', content: okText },
    });
    expect(res.code).toBe(0);
    const bigText = JSON.stringify({ text: 'x'.repeat(150 * 1024) });
    expect((await create({ msg_type: 'text', content: bigText })).data.code).toBe(230025);
  });

  it('checkCard is exported for card builders to self-check', () => {
    expect(checkCard(v2Card('x'))).toMatchObject({ ok: true, schema: '2.0' });
    expect(checkCard({ schema: '2.0', i18n_elements: {}, body: { elements: [] } })).toEqual({
      ok: false,
      errCode: 200621,
      reason: 'unknown property: i18n_elements',
    });
  });
});

describe('chat membership', () => {
  const text = JSON.stringify({ text: 'hi' });

  it('answers 230002 in a chat the bot was removed from, and in an unknown chat', async () => {
    for (const chat of ['oc_left', 'oc_never_heard_of']) {
      const err = await create({ receive_id: chat, msg_type: 'text', content: text });
      expect(err).toEqual(
        expect.objectContaining({
          status: 400,
          data: { code: 230002, msg: 'The bot can not be outside the group.' },
        }),
      );
    }
    expect(sandbox.messages('oc_left')).toHaveLength(0);
  });

  it('works again once the bot is added back', async () => {
    sandbox.addBot('oc_left');
    const res = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: 'oc_left', msg_type: 'text', content: text },
    });
    expect(res.code).toBe(0);
    sandbox.removeBot('oc_left');
  });

  it('supports only receive_id_type=chat_id', async () => {
    const err = await failure(
      client.im.v1.message.create({
        params: { receive_id_type: 'open_id' },
        data: { receive_id: 'ou_alice', msg_type: 'text', content: text },
      }),
    );
    expect(err.data.code).toBe(230001);
  });
});
