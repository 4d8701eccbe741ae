import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, LEAD_A, type Requested, startBot } from './helpers/bot.js';
import { checkThread, stepLines, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 2: Lark fails 30 % of message calls (429 with x-ogw-ratelimit-reset, 500, slow answers) for
 * a whole run of ten steps of 2 s (~20 s of steps: the issue says about a minute, shortened for CI; set
 * FAULT_TEN_STEP_MS=6000 for the long version). Every thread reply arrives exactly once and in order, the card
 * ends as the summary, and the run itself is not slowed down: Lark being down delays the cards, never the run.
 */

const STEP_MS = Number(process.env.FAULT_TEN_STEP_MS ?? 2000);
const TITLES = Array.from({ length: 10 }, (_, i) => `Phase ${String(i + 1).padStart(2, '0')}`);
const EXPECTED = [...stepLines(TITLES), summary('Succeeded', 'Ten steps')];

let bot: Bot;

beforeAll(async () => {
  bot = await startBot();
  await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

/** Request, approve, wait for the run and for Lark to have everything; the run's own duration in ms. */
async function runTen(): Promise<{ req: Requested; durationMs: number; outbox: Record<string, number> }> {
  const req = await bot.request(`/rollback ten ms=${STEP_MS}`);
  await bot.approve(req, LEAD_A);
  const done = await bot.waitRun(req.run, 'succeeded', 120_000);
  // Everything owed to Lark for this run has been delivered (or superseded, for coalesced card patches).
  const outbox = await bot.waitOutboxSettled(req.run, 120_000);
  const durationMs = (done.finished_at?.getTime() ?? 0) - (done.started_at?.getTime() ?? 0);
  return { req, durationMs, outbox };
}

function expectDelivered(req: Requested): void {
  const thread = bot.thread(req.card);
  expect(checkThread(thread, EXPECTED)).toEqual({ missing: [], duplicates: [] });
  // Exactly the 21 replies: nothing extra, nothing twice.
  expect(thread).toHaveLength(EXPECTED.length);
  // The card was edited in place to the summary: no buttons left.
  const card = bot.cardJson(req.card);
  expect(card).toMatch(/\*\*Outcome:\*\* \S+ Succeeded/);
  expect(card).not.toMatch(/"action":"(cancel_now|cancel_after_step|approve)"/);
}

describe('Lark failing 30% of calls for a whole run', () => {
  it('delivers every reply exactly once and in order, without slowing the run', async () => {
    const baseline = await runTen();
    expectDelivered(baseline.req);

    const before = bot.sandbox.requests().length;
    bot.sandbox.faults.set({ probability: 0.3, kinds: ['429', '500', 'slow'], slowMs: 1500 });
    // One of each kind for sure (the first calls of the run), then 30 % at random.
    for (const kind of ['429', '500', 'slow'] as const) bot.sandbox.faults.failNext(1, kind);
    const faulty = await runTen();
    const fired = { ...bot.sandbox.faults.fired };
    bot.sandbox.faults.clear();
    expectDelivered(faulty.req);
    expect(faulty.outbox).not.toHaveProperty('failed');

    const requests = bot.sandbox.requests().slice(before);
    const messageCalls = requests.filter((r) => ['create', 'reply', 'patch'].includes(r.api));
    console.log(
      `[faults] Lark 30%: baseline run ${baseline.durationMs} ms, with faults ${faulty.durationMs} ms; ` +
        `message calls ${messageCalls.length}, faults fired ${JSON.stringify(fired)}, ` +
        `outbox ${JSON.stringify(faulty.outbox)}`,
    );
    // Every kind of fault really happened during the run.
    expect(fired['429']).toBeGreaterThan(0);
    expect(fired['500']).toBeGreaterThan(0);
    expect(fired.slow).toBeGreaterThan(0);
    // A 429 carries x-ogw-ratelimit-reset: 1. The call after it on the same path (the same message retried:
    // a stream is delivered one message at a time) waits at least that long.
    let throttled = 0;
    for (const [i, call] of messageCalls.entries()) {
      if (call.fault !== '429') continue;
      const next = messageCalls.slice(i + 1).find((r) => r.method === call.method && r.path === call.path);
      if (!next) continue;
      throttled += 1;
      expect(next.at - call.at).toBeGreaterThanOrEqual(950);
    }
    expect(throttled).toBeGreaterThan(0);
    // Exactly once on the wire too, not only thanks to Lark's uuid dedupe: one accepted reply per reply in the
    // thread (its 21 lines may share replies: lines owed at once go together, issue 13).
    const accepted = messageCalls.filter(
      (r) => r.api === 'reply' && r.status === 200 && r.path.includes(faulty.req.card.messageId),
    );
    const stored = bot.sandbox.threadOf(faulty.req.card.messageId).filter((m) => m.msgType === 'post');
    expect(stored.length).toBeLessThanOrEqual(EXPECTED.length);
    expect(accepted).toHaveLength(stored.length);
    // The run's own duration is Lark-independent (generous bound: this is a shared 2-core machine).
    expect(faulty.durationMs).toBeLessThan(baseline.durationMs * 1.5 + 2000);
  }, 170_000);
});
