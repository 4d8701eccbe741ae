import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/server.js';
import {
  approveValueOf,
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  LEAD_B,
  ONCALL,
  runState,
  STRANGER,
  startHarness,
  textOf,
} from '../helpers/harness.js';
import { threadEntries } from '../helpers/messages.js';

// The bot in LARK_EVENT_MODE=websocket: sandbox → long connection → server → worker → sandbox.

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ eventMode: 'websocket' });
});
afterAll(async () => {
  await h?.close();
});

const cardsIn = () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive');
const repliesTo = (messageId: string) => h.sandbox.botMessages().filter((m) => m.parentId === messageId);

async function requestCard(text: string) {
  const before = cardsIn().length;
  const said = await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  expect(said.status).toBe(200);
  const card = await h.sandbox.waitFor(() => cardsIn()[before], 10_000);
  const value = approveValueOf(card);
  if (!value) throw new Error('no approve button');
  return { card, value };
}

async function ready(server: RunningServer) {
  const answer = await fetch(`${server.url}/health/ready`);
  return {
    status: answer.status,
    body: (await answer.json()) as { lark_connection?: Record<string, unknown> },
  };
}

describe('websocket mode', () => {
  it('serves no webhook routes, and readiness names the connection', async () => {
    expect(h.sandbox.longConnectionStatus()).toMatchObject({ inUse: true, connections: 1 });
    const webhook = await fetch(`${h.server.url}/lark/events`, { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(404);
    const health = await ready(h.server);
    expect(health.status).toBe(200);
    expect(health.body.lark_connection).toMatchObject({ state: 'connected' });
  });

  it('command → card; refusals by toast; Approve answers with toast and progress card in the ack', async () => {
    const { card, value } = await requestCard('/rollback thin');
    expect(h.sandbox.deliveries().at(-1)?.url).toBe('/ws/v2');
    const stranger = await h.sandbox.click({ operatorOpenId: STRANGER, messageId: card.messageId, value });
    expect(stranger.toast?.content).toMatch(/Only a Tech Lead/);
    const state = await h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [value.run]);
    expect(state.rows[0].state).toBe('awaiting_approval');
    const approved = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(approved.status).toBe(200);
    expect(approved.toast?.type).toBe('success');
    expect(JSON.stringify(approved.card)).not.toContain('"action":"approve"');
    await runState(h, value.run, 'succeeded');
  });

  it('refuses a Tech Lead approving their own request (four-eyes)', async () => {
    const before = cardsIn().length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: LEAD_A, text: '/rollback thin' });
    const card = await h.sandbox.waitFor(() => cardsIn()[before], 10_000);
    const value = JSON.parse(
      /"value":(\{"action":"approve"[^}]*\})/.exec(JSON.stringify(card.content))?.[1] ?? '{}',
    );
    const self = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(self.toast?.content).toMatch(/four-eyes/);
    await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: card.messageId,
      value: { ...value, action: 'reject' },
    });
    await runState(h, value.run, 'rejected');
  });

  it('acks what it cannot act on (not JSON, not an envelope, an unknown event), and stays connected', async () => {
    const hub = h.sandbox.longConnection;
    const garbage = await hub.push('this is not json', 3000);
    expect(garbage.status).toBe(200);
    const noHeader = await hub.push(JSON.stringify({ schema: '2.0', event: {} }), 3000);
    expect(noHeader.status).toBe(200);
    const unknown = await hub.push(
      JSON.stringify({
        schema: '2.0',
        header: { event_id: 'ev-unknown-type', event_type: 'im.chat.updated_v1', app_id: 'cli_x' },
        event: {},
      }),
      3000,
    );
    expect(unknown).toMatchObject({ status: 200, body: '{}' });
    expect(h.logs.some((l) => l.includes('a frame did not decode; acked without acting'))).toBe(true);
    expect(h.sandbox.longConnectionStatus().connections).toBe(1);
  });

  it('two replicas connected at once: two leads approving together start one execution', async () => {
    const replica = await startServer(h.ctx, { port: 0, host: '127.0.0.1' });
    try {
      await eventually(
        async () => h.sandbox.longConnectionStatus().connections === 2,
        10_000,
        'two connections',
      );
      const { card, value } = await requestCard('/rollback thin');
      const clicks = await Promise.all([
        h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value }),
        h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value }),
      ]);
      expect(clicks.map((c) => c.status)).toEqual([200, 200]);
      expect(clicks.filter((c) => c.toast?.type === 'success')).toHaveLength(1);
      await runState(h, value.run, 'succeeded');
      const attempts = await h.ctx.pool.query('SELECT max(attempt)::int AS n FROM steps WHERE run_id = $1', [
        value.run,
      ]);
      expect(attempts.rows[0].n).toBe(1);
    } finally {
      await replica.close();
    }
  });

  it('a dropped connection comes back; a message pushed while it was down is acted on once', async () => {
    await eventually(
      async () => h.sandbox.longConnectionStatus().connections === 1,
      10_000,
      'one connection',
    );
    const { card, value } = await requestCard('/rollback thin');
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    h.sandbox.longConnection.dropAll();
    const said = await h.sandbox.userSays({
      chatId: CHAT,
      senderOpenId: ONCALL,
      text: `/rollback status ${value.run}`,
    });
    expect(said.error).toBe('network');
    await runState(h, value.run, 'succeeded');
    const answer = await h.sandbox.waitFor(() =>
      h.sandbox.botMessages(CHAT).find((m) => m.parentId === said.messageId),
    );
    expect(answer).toBeDefined();
    await eventually(async () => (await ready(h.server)).status === 200, 10_000, 'ready again');
    const events = await h.ctx.pool.query(
      'SELECT count(*)::int AS n FROM inbound_events WHERE event_id = $1',
      [said.eventId],
    );
    expect(events.rows[0].n).toBe(1);
    expect(h.sandbox.botMessages(CHAT).filter((m) => m.parentId === said.messageId)).toHaveLength(1);
    // Every step's start and end reached the thread exactly once, then the summary.
    await h.sandbox.waitFor(() => repliesTo(card.messageId).find((m) => /RTO/.test(textOf(m))), 10_000);
    // Lines owed at once share a reply (issue 13): count the stamped lines, not the replies.
    const thread = threadEntries(repliesTo(card.messageId));
    for (const title of ['Stop the application', 'Downgrade the migration', 'Restart the application']) {
      expect(thread.filter((line) => line.includes(title))).toHaveLength(2);
    }
  });

  it('a terminal endpoint code (bad credentials) turns readiness red with the reason', async () => {
    h.sandbox.longConnection.failEndpoint('terminal');
    const refused = await startServer(h.ctx, { port: 0, host: '127.0.0.1' });
    try {
      const health = await eventually(async () => {
        const r = await ready(refused);
        return r.body.lark_connection?.state === 'stopped' ? r : undefined;
      }, 10_000);
      expect(health.status).toBe(503);
      expect(health.body.lark_connection).toMatchObject({ code: 514 });
      expect(h.logs.some((l) => l.includes('the app id or secret is wrong (code 514'))).toBe(true);
    } finally {
      await refused.close();
    }
  });
});
