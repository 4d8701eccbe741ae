import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext, type Context } from '../../src/cli/context.js';
import { type RunningWorker, startWorker } from '../../src/worker/runtime.js';
import {
  approveValueOf,
  CHAT,
  type Harness,
  LEAD_A,
  LEAD_B,
  ONCALL,
  OTHER_CHAT,
  replyTo,
  runState,
  startHarness,
  textOf,
} from '../helpers/harness.js';

// Two targets in two runner pools, each with its own Tech Lead and chat; a runner per pool (issue 12).

const A_SECRET = 'pool-a-only-s3cret-value';
let h: Harness;
let runnerA: { worker: RunningWorker; ctx: Context; logs: string[] };
let runnerB: RunningWorker | undefined;

/** A runner in its own context: its own environment (and so its own secrets), its own log. */
async function startRunner(pools: string[], extraEnv: Record<string, string>) {
  const logs: string[] = [];
  const ctx = buildContext({
    env: { ...h.env, ...extraEnv },
    logDestination: new Writable({
      write(chunk, _enc, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  });
  const worker = await startWorker(ctx, { pools, sweepMs: 1000, pollMs: 200 });
  return { worker, ctx, logs };
}

beforeAll(async () => {
  // The harness's own worker serves only the default pool (delivery, sweep); the server has no A_SECRET.
  h = await startHarness({ runbooksDir: 'tests/fixtures/pool-runbooks' });
  runnerA = await startRunner(['pool-a'], { A_SECRET });
});
afterAll(async () => {
  await runnerB?.close(2000);
  await runnerA?.worker.close(2000);
  await runnerA?.ctx.pool.end();
  await h?.close();
});

const cardsIn = (chat: string) => h.sandbox.botMessages(chat).filter((m) => m.msgType === 'interactive');
const runIdOf = (card: { content: unknown }) =>
  /"run":"(r[0-9a-z]+)"/.exec(JSON.stringify(card.content))?.[1] ?? '';

async function requestCard(chat: string, text: string) {
  const before = cardsIn(chat).length;
  await h.sandbox.userSays({ chatId: chat, senderOpenId: ONCALL, text });
  return h.sandbox.waitFor(() => cardsIn(chat)[before], 10_000);
}

async function runnersOf(runId: string) {
  const r = await h.ctx.pool.query(
    `SELECT DISTINCT r.pools FROM steps s JOIN runners r ON r.id = s.runner_id WHERE s.run_id = $1`,
    [runId],
  );
  return r.rows.map((row) => row.pools);
}

describe('runner pools', () => {
  it("runs a target on its own pool's runner; only its own Tech Lead may approve", async () => {
    const card = await requestCard(CHAT, '/rollback thin svc-a');
    const value = approveValueOf(card);
    expect(value).toBeDefined();
    expect(JSON.stringify(card.content)).toContain('Runner pool:** pool-a');
    const other = await h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value });
    expect(other.toast?.content).toMatch(/Only a Tech Lead of target svc-a/);
    const own = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(own.toast?.type).toBe('success');
    await runState(h, value?.run ?? '', 'succeeded');
    expect(await runnersOf(value?.run ?? '')).toEqual([['pool-a']]);
  });

  it("fills a target's secrets on its pool's runner only: never on the server, in logs or the database", async () => {
    expect(h.env.A_SECRET).toBeUndefined();
    const card = await requestCard(CHAT, '/rollback peek svc-a');
    const value = approveValueOf(card);
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    await runState(h, value?.run ?? '', 'succeeded');
    expect(readFileSync(join(h.markerDir, 'peek'), 'utf8')).toBe('set');
    const tail = await h.ctx.pool.query('SELECT output_tail FROM steps WHERE run_id = $1', [value?.run]);
    expect(tail.rows[0].output_tail).toContain('the secret is');
    const everything = await h.ctx.pool.query(
      `SELECT (SELECT json_agg(r) FROM runs r)::text || (SELECT json_agg(s) FROM steps s)::text
         || (SELECT json_agg(o) FROM outbox o)::text AS dump`,
    );
    expect(everything.rows[0].dump).not.toContain(A_SECRET);
    expect([...h.logs, ...runnerA.logs].join('\n')).not.toContain(A_SECRET);
    expect(JSON.stringify(h.sandbox.messages())).not.toContain(A_SECRET);
  });

  it('refuses a target from a chat it does not list, naming where to ask', async () => {
    const reply = await replyTo(h, CHAT, ONCALL, '/rollback thin svc-b');
    expect(textOf(reply)).toContain(
      'Target svc-b cannot be rolled back from this chat; please ask in Elsewhere',
    );
  });

  it('withholds Approve while no runner of the pool is up, and offers it when one starts', async () => {
    const card = await requestCard(OTHER_CHAT, '/rollback thin svc-b');
    expect(approveValueOf(card)).toBeUndefined();
    expect(JSON.stringify(card.content)).toContain('No runner is up in pool pool-b');
    const runId = runIdOf(card);
    const early = await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: card.messageId,
      value: { action: 'approve', run: runId, plan: 'x' },
    });
    expect(early.toast?.content).toMatch(/No runner is up in pool pool-b/);
    runnerB = (await startRunner(['pool-b'], {})).worker;
    const offered = await h.sandbox.waitFor(
      () => approveValueOf(h.sandbox.message(card.messageId) ?? card),
      10_000,
    );
    // four_eyes is off for svc-b: its Tech Lead approves; the run executes on pool-b's runner.
    const approved = await h.sandbox.click({
      operatorOpenId: LEAD_B,
      messageId: card.messageId,
      value: offered,
    });
    expect(approved.toast?.type).toBe('success');
    await runState(h, runId, 'succeeded');
    expect(await runnersOf(runId)).toEqual([['pool-b']]);
  });

  it('an approved run whose runner went away waits, says so on its card, and starts when one is up', async () => {
    const card = await requestCard(OTHER_CHAT, '/rollback thin svc-b');
    const value = approveValueOf(card);
    expect(value).toBeDefined();
    await runnerB?.close(2000);
    runnerB = undefined;
    await h.sandbox.click({ operatorOpenId: LEAD_B, messageId: card.messageId, value });
    await runState(h, value?.run ?? '', 'queued');
    await h.sandbox.waitFor(
      () =>
        JSON.stringify(h.sandbox.message(card.messageId)?.content).includes(
          'waiting for a runner in pool pool-b',
        ) || undefined,
      15_000,
    );
    runnerB = (await startRunner(['pool-b'], {})).worker;
    await runState(h, value?.run ?? '', 'succeeded');
    expect(JSON.stringify(h.sandbox.message(card.messageId)?.content)).not.toContain('waiting for a runner');
  });

  it('a runner that missed its beats gets Approve back at its next beat', async () => {
    // As if pool-a's runner had been unreachable for a while: a request now finds no live runner.
    await h.ctx.pool.query(
      `UPDATE runners SET last_seen = now() - interval '1 minute' WHERE 'pool-a' = ANY(pools)`,
    );
    const card = await requestCard(CHAT, '/rollback thin svc-a');
    expect(approveValueOf(card)).toBeUndefined();
    expect(JSON.stringify(card.content)).toContain('No runner is up in pool pool-a');
    // The runner is alive: its next beat (every 5 s) clears the flag, and the card offers Approve.
    const offered = await h.sandbox.waitFor(
      () => approveValueOf(h.sandbox.message(card.messageId) ?? card),
      12_000,
    );
    const approved = await h.sandbox.click({
      operatorOpenId: LEAD_A,
      messageId: card.messageId,
      value: offered,
    });
    expect(approved.toast?.type).toBe('success');
    await runState(h, runIdOf(card), 'succeeded');
  });

  it("refuses a request its target's approvers could never approve, saying why", async () => {
    // svc-a has one Tech Lead and four-eyes: when that lead asks, nobody is left to approve.
    const reply = await replyTo(h, CHAT, LEAD_A, '/rollback thin svc-a');
    expect(textOf(reply)).toContain(
      'Cannot request this: target svc-a needs 1 Tech Lead approval(s), but only 0 other than you may approve',
    );
    const runs = await h.ctx.pool.query(`SELECT count(*)::int AS n FROM runs WHERE requester_open_id = $1`, [
      LEAD_A,
    ]);
    expect(runs.rows[0].n).toBe(0);
  });

  it('/rollback targets lists what this chat may use, with its runners and last run', async () => {
    const text = textOf(await replyTo(h, CHAT, ONCALL, '/rollback targets'));
    expect(text).toContain('svc-a (default)');
    expect(text).toMatch(/runner pool pool-a: 1 up/);
    expect(text).toMatch(/last run: thin succeeded/);
    expect(text).not.toContain('svc-b');
    expect(textOf(await replyTo(h, OTHER_CHAT, ONCALL, '/rollback targets'))).toMatch(
      /svc-b[\s\S]*runner pool pool-b: 1 up/,
    );
  });
});
