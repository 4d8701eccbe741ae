import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { decodeFrame, encodeFrame } from '../../src/sandbox/ws-frame.js';
import { sdkClient, v2Card } from './helpers/sdk.js';

// The official WSClient of @larksuiteoapi/node-sdk, unchanged, against the sandbox's long connection.

const CHAT = 'oc_ws';
const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

interface Seen {
  type: string;
  eventId: string;
  data: Record<string, unknown>;
}

class Recorder extends lark.EventDispatcher {
  readonly seen: Seen[] = [];
  /** How the next invocations answer: a value, or throw (the client acks with code 500). */
  answer: (data: Record<string, unknown>) => unknown = () => ({});
  constructor() {
    super({ logger: quiet });
  }
  override async invoke(data: unknown): Promise<unknown> {
    const envelope = data as { header: { event_type: string; event_id: string } };
    this.seen.push({ type: envelope.header.event_type, eventId: envelope.header.event_id, data: envelope });
    return this.answer(envelope as unknown as Record<string, unknown>);
  }
}

/** Polls: what the client reports is not a sandbox change that `waitFor` would see. */
async function until<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let sandbox: Sandbox;
let client: lark.WSClient;
const recorder = new Recorder();
let cardId: string;
const states: string[] = [];

function startClient(appSecret: string, onError?: (e: Error) => void): lark.WSClient {
  const ws = new lark.WSClient({
    ...sandbox.sdkClientOptions(),
    appSecret,
    logger: quiet,
    onReady: () => states.push('ready'),
    onReconnected: () => states.push('reconnected'),
    onError: (e) => onError?.(e),
  });
  void ws.start({ eventDispatcher: recorder });
  return ws;
}

beforeAll(async () => {
  sandbox = createSandbox({
    longConnection: { clientConfig: { ReconnectInterval: 0.2, PingInterval: 30 }, splitBytes: 300 },
    deadlines: { eventMs: 1000, repushMs: [200, 400, 800, 1600] },
  });
  sandbox.addChat({ chatId: CHAT, members: [{ openId: 'ou_a', name: 'A' }] });
  await sandbox.listen();
  client = startClient(sandbox.config.appSecret);
  await until(() => states.includes('ready'));
  const created = await sdkClient(sandbox).im.v1.message.create({
    params: { receive_id_type: 'chat_id' },
    data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(v2Card('Approve?')) },
  });
  cardId = created.data?.message_id as string;
});

afterAll(async () => {
  client?.close({ force: true });
  await sandbox?.close();
});

describe('the official WSClient against the sandbox', () => {
  it('receives a message event whole (split into frames) and acks it', async () => {
    const long = 'x'.repeat(700);
    const result = await sandbox.userSays({ chatId: CHAT, senderOpenId: 'ou_a', text: `/rollback ${long}` });
    expect(result.status).toBe(200);
    const seen = recorder.seen.find((s) => s.eventId === result.eventId);
    expect(seen?.type).toBe('im.message.receive_v1');
    expect(JSON.stringify(seen?.data)).toContain(long);
    expect(sandbox.longConnectionStatus()).toMatchObject({ inUse: true, connections: 1 });
  });

  it("applies a click's toast and card from the ack", async () => {
    recorder.answer = () => ({
      toast: { type: 'success', content: 'Approved' },
      card: { type: 'raw', data: v2Card('Approved by A') },
    });
    const click = await sandbox.click({
      operatorOpenId: 'ou_a',
      messageId: cardId,
      value: { action: 'approve' },
    });
    recorder.answer = () => ({});
    expect(click.toast?.content).toBe('Approved');
    expect(JSON.stringify(sandbox.message(cardId)?.content)).toContain('Approved by A');
    expect(recorder.seen.at(-1)?.type).toBe('card.action.trigger');
  });

  it('re-pushes an event whose ack failed, and never a click', async () => {
    let calls = 0;
    recorder.answer = () => {
      calls += 1;
      if (calls === 1) throw new Error('first try fails');
      return {};
    };
    const result = await sandbox.userSays({ chatId: CHAT, senderOpenId: 'ou_a', text: '/rollback status' });
    expect(result.status).toBe(500);
    const pushes = await until(() => {
      const found = sandbox.deliveries().filter((d) => d.eventId === result.eventId);
      return found.length >= 2 && found;
    });
    expect(pushes.map((d) => d.status)).toEqual([500, 200]);
    recorder.answer = () => {
      throw new Error('click fails');
    };
    const click = await sandbox.click({
      operatorOpenId: 'ou_a',
      messageId: cardId,
      value: { action: 'approve' },
    });
    recorder.answer = () => ({});
    expect(click.toast?.source).toBe('lark');
    expect(sandbox.deliveries().filter((d) => d.eventId === click.eventId)).toHaveLength(1);
  });

  it('is reconnected after the connection drops, and an event pushed meanwhile arrives once', async () => {
    // The endpoint is busy, then fails with HTTP 500, on the first two tries: both are retried.
    sandbox.longConnection.failEndpoint('busy');
    sandbox.longConnection.failEndpoint('http500');
    sandbox.longConnection.dropAll();
    const result = await sandbox.userSays({
      chatId: CHAT,
      senderOpenId: 'ou_a',
      text: '/rollback while down',
    });
    expect(result.error).toBe('network');
    await until(() => states.includes('reconnected'));
    // Both refusals were served (none is left queued) and the client came back all the same.
    expect(sandbox.longConnection.takeEndpointFault()).toBeUndefined();
    await until(() => recorder.seen.some((s) => s.eventId === result.eventId));
    expect(recorder.seen.filter((s) => s.eventId === result.eventId)).toHaveLength(1);
  });

  it('answers ping with pong and ClientConfig, and refuses an unknown ticket', async () => {
    const endpoint = await fetch(`${sandbox.url}/callback/ws/endpoint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ AppID: sandbox.config.appId, AppSecret: sandbox.config.appSecret }),
    }).then((r) => r.json());
    const ws = new WebSocket(endpoint.data.URL);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(
      encodeFrame({ SeqID: 0, LogID: 0, service: 1, method: 0, headers: [{ key: 'type', value: 'ping' }] }),
    );
    const pong = decodeFrame(await new Promise<Buffer>((resolve) => ws.once('message', resolve)));
    ws.terminate();
    expect(pong.headers).toEqual([{ key: 'type', value: 'pong' }]);
    expect(JSON.parse(Buffer.from(pong.payload ?? []).toString())).toMatchObject({ ReconnectInterval: 0.2 });
    const forged = new WebSocket(String(endpoint.data.URL).replace(/ticket=[^&]+/, 'ticket=forged'));
    const refused = await new Promise((resolve) => forged.once('error', resolve));
    expect(String(refused)).toContain('403');
  });

  it('refuses wrong credentials with a terminal code (the client reports onError)', async () => {
    const errors: Error[] = [];
    const bad = startClient('wrong-secret', (e) => errors.push(e));
    await until(() => errors[0]);
    expect(bad.getConnectionStatus().state).toBe('failed');
    bad.close({ force: true });
    expect(errors[0]?.message).toContain('code=514');
  });
});
