import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, CHAT, CHAT_B, LEAD_A, startBot } from './helpers/bot.js';
import { eventually } from './helpers/procs.js';
import { checkThread, stepLines, summary } from './helpers/thread.js';

/**
 * Issue 5, scenario 3: Lark refuses a message for good (the bot was removed from the chat: 230002). The row is
 * marked failed with Lark's reason and never retried, the rows after it are still tried (not stuck behind it),
 * the run itself goes on, and other chats' runs are delivered as usual.
 */

let bot: Bot;

beforeAll(async () => {
  bot = await startBot();
  await bot.startWorker();
}, 90_000);
afterAll(async () => {
  await bot?.close();
}, 60_000);

describe('a message Lark rejects for good', () => {
  it('is recorded failed with the reason, and does not hold up other chats or runs', async () => {
    const a = await bot.request('/rollback ten t1 ms=400', { chatId: CHAT });
    await bot.approve(a, LEAD_A);
    await bot.waitStepStart(a.run, 'phase-02');
    bot.sandbox.removeBot(CHAT);

    // Meanwhile, in another incident chat, a second run on another target.
    const b = await bot.request('/rollback ten t2 ms=200', { chatId: CHAT_B });
    await bot.approve(b, LEAD_A);

    // Lark's refusal never holds up the run (invariant 7).
    await bot.waitRun(a.run, 'succeeded', 60_000);
    await bot.waitRun(b.run, 'succeeded', 60_000);

    // Every row of run A ends settled: nothing stays pending behind the refused one.
    const rows = await eventually(
      async () => {
        const r = await bot.pool.query(
          `SELECT id, op, state, attempts, last_error FROM outbox WHERE run_id = $1 ORDER BY id`,
          [a.run],
        );
        return r.rows.some((row) => row.state === 'pending') ? undefined : r.rows;
      },
      60_000,
      `run ${a.run}'s outbox to settle`,
      200,
    );
    const failed = rows.filter((row) => row.state === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const row of failed) {
      expect(row.last_error).toMatch(/230002/);
      // Permanent: tried once, never retried.
      expect(row.attempts).toBe(1);
    }
    // The rows after the first refusal were each tried too (the summary among them), none skipped or stuck.
    const firstFailed = rows.findIndex((row) => row.state === 'failed');
    expect(rows.slice(firstFailed).every((row) => row.state === 'failed' || row.state === 'superseded')).toBe(
      true,
    );
    // Lark got nothing for chat A after the removal; run A's thread simply stops where the removal cut it.
    const threadA = bot.thread(a.card);
    expect(threadA.length).toBeLessThan(21);

    // Chat B: the whole thread, in order, exactly once, and the card ends as the summary.
    await bot.sandbox.waitFor(
      () => bot.thread(b.card).some((t) => summary('Succeeded', 'Ten steps').test(t)),
      30_000,
    );
    const titles = Array.from({ length: 10 }, (_, i) => `Phase ${String(i + 1).padStart(2, '0')}`);
    const expected = [...stepLines(titles), summary('Succeeded', 'Ten steps')];
    expect(checkThread(bot.thread(b.card), expected)).toEqual({ missing: [], duplicates: [] });
    expect(bot.thread(b.card)).toHaveLength(expected.length);
    await bot.waitCardOutcome(b.card, 'Succeeded');

    // A later message in chat B (a new run) still flows.
    const c = await bot.request('/rollback crash-idem t3 ms=100', { chatId: CHAT_B });
    await bot.approve(c, LEAD_A);
    await bot.waitRun(c.run, 'succeeded', 30_000);
    await bot.sandbox.waitFor(
      () => bot.thread(c.card).some((t) => summary('Succeeded', 'Idempotent crash test').test(t)),
      30_000,
    );
    console.log(
      `[faults] 230002: run A rows ${rows.length}, failed ${failed.length}, ` +
        `thread A ${threadA.length}/21 lines before the removal; chat B delivered in full`,
    );
  }, 150_000);
});
