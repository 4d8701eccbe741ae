import type * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { failure, sdkClient } from './helpers/sdk.js';

/** `POST /open-apis/im/v1/files`, `file` messages and `post` messages, as the bot's SDK sends them. */
const CHAT = 'oc_incident';

let sandbox: Sandbox;
let client: lark.Client;

beforeEach(async () => {
  sandbox = createSandbox({ appSecret: 'secret-1' });
  sandbox.addChat({ chatId: CHAT, name: 'Incident', members: [{ openId: 'ou_alice', name: 'Alice' }] });
  await sandbox.listen();
  client = sdkClient(sandbox);
});

afterEach(async () => {
  await sandbox.close();
});

const upload = (name: string, data: Buffer) =>
  client.im.v1.file.create({ data: { file_type: 'stream', file_name: name, file: data } });

const send = (msgType: string, content: unknown) =>
  client.im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: msgType, content: JSON.stringify(content) },
  });

/** A hand-made multipart request, to send what the SDK never would. */
async function rawUpload(body: string, contentType: string) {
  const res = await fetch(`${sandbox.url}/open-apis/im/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.tenantAccessToken}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as { code: number; msg: string } };
}

describe('file upload and file messages', () => {
  it('keeps an upload whole, sends it as a file message, and serves it back byte for byte', async () => {
    const text = `${JSON.stringify({ big: 'x'.repeat(20_000), zh: '回滚' })}\n`;
    const uploaded = await upload('rollback-r1.json', Buffer.from(text, 'utf8'));
    expect(uploaded?.file_key).toMatch(/^file_v3_/);
    const key = uploaded?.file_key ?? '';

    const sent = await send('file', { file_key: key });
    expect(sent.code).toBe(0);
    const message = sandbox.botMessages(CHAT).at(-1);
    expect(message?.msgType).toBe('file');
    expect(message?.file).toEqual({
      fileKey: key,
      fileName: 'rollback-r1.json',
      fileType: 'stream',
      size: Buffer.byteLength(text),
    });

    const viaApi = await fetch(`${sandbox.url}/open-apis/im/v1/files/${key}`, {
      headers: { authorization: `Bearer ${sandbox.tenantAccessToken}` },
    });
    expect(await viaApi.text()).toBe(text);
    const viaWeb = await fetch(`${sandbox.url}/sandbox/files/${key}`);
    expect(viaWeb.headers.get('content-disposition')).toContain('rollback-r1.json');
    expect(await viaWeb.text()).toBe(text);
    expect(sandbox.requests().map((r) => r.api)).toEqual(['token', 'upload', 'create', 'download']);
  });

  it('refuses a file message whose file_key was never uploaded', async () => {
    const refused = await failure(send('file', { file_key: 'file_v3_nope' }));
    expect(refused.status).toBe(400);
    expect(refused.data.code).toBe(230001);
    expect(refused.data.msg).toContain('was not uploaded');
    expect(sandbox.botMessages(CHAT)).toHaveLength(0);
  });

  it("answers a bad multipart body with 400 and Lark's {code, msg}", async () => {
    const boundary = '----sandbox-test';
    const cut = `--${boundary}\r\nContent-Disposition: form-data; name="file_type"\r\n\r\nstream\r\n--${boundary}\r\nContent-Disp`;
    const broken = await rawUpload(cut, `multipart/form-data; boundary=${boundary}`);
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe(234001);
    expect(broken.body.msg).toMatch(/^Invalid request param\./);

    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;
    const noName = await rawUpload(
      `${part('file_type', 'stream')}${part('file', 'abc', 'a.txt')}--${boundary}--\r\n`,
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(noName).toEqual({
      status: 400,
      body: { code: 234001, msg: expect.stringContaining('file_name') },
    });

    const empty = await rawUpload(
      `${part('file_type', 'stream')}${part('file_name', 'a.txt')}${part('file', '', 'a.txt')}--${boundary}--\r\n`,
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(empty).toEqual({ status: 400, body: { code: 234010, msg: "File's size can't be 0." } });

    const notMultipart = await fetch(`${sandbox.url}/open-apis/im/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.tenantAccessToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(400);
    expect(((await notMultipart.json()) as { code: number }).code).toBe(234001);
  });

  it('needs the tenant token to upload', async () => {
    const res = await fetch(`${sandbox.url}/open-apis/im/v1/files`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(99991663);
  });
});

describe('post messages', () => {
  const body = (text: string) => ({ title: '', content: [[{ tag: 'text', text }], []] });

  it('accepts a post with a body per language', async () => {
    const sent = await send('post', { zh_cn: body('你好'), en_us: body('Hello') });
    expect(sent.code).toBe(0);
    expect(sandbox.botMessages(CHAT).at(-1)?.content).toEqual({ zh_cn: body('你好'), en_us: body('Hello') });
  });

  it('refuses the webhook form, a missing content list and an unknown element', async () => {
    for (const content of [
      { post: { zh_cn: body('x') } },
      { zh_cn: { title: 'x' } },
      { en_us: { content: [[{ tag: 'blink', text: 'x' }]] } },
      { en_us: { content: [[{ tag: 'text' }]] } },
    ]) {
      const refused = await failure(send('post', content));
      expect(refused.status).toBe(400);
      expect(refused.data.code).toBe(230001);
    }
    expect(sandbox.botMessages(CHAT)).toHaveLength(0);
  });
});
