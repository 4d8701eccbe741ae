import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elapsedBetween, formatClock, formatElapsed } from '../../cards/format.js';
import {
  approveValueOf,
  CHAT,
  type Harness,
  LEAD_A,
  ONCALL,
  runState,
  startHarness,
} from '../helpers/harness.js';
import { threadEntries } from '../helpers/messages.js';

/**
 * Issue 13 item 3: a run of twenty quick steps owes its thread 40 lines far faster than Lark's 5 replies per
 * second per chat. Through the sandbox (its rate limiter is real): every start and end line arrives, once, in
 * step order, each with its own clock time and T+, in fewer replies than lines, and Lark never refuses one.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ runbooksDir: 'tests/fixtures/issue13-runbooks' });
}, 30_000);
afterAll(async () => {
  await h?.close();
});

const TITLES = Array.from({ length: 20 }, (_, i) => `Quick step ${String(i + 1).padStart(2, '0')}`);

describe('a thread that keeps up', () => {
  it('holds every start and end line in step order, in fewer replies than lines, never refused', async () => {
    const before = h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive').length;
    await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text: '/rollback quick' });
    const card = await h.sandbox.waitFor(
      () => h.sandbox.botMessages(CHAT).filter((m) => m.msgType === 'interactive')[before],
      10_000,
    );
    const value = await h.sandbox.waitFor(() => {
      const now = h.sandbox.message(card.messageId);
      return now ? approveValueOf(now) : undefined;
    }, 10_000);
    const clicked = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
    expect(clicked.toast?.type).toBe('success');
    await runState(h, value.run, 'succeeded', 60_000);

    const replies = () =>
      h.sandbox
        .threadOf(card.messageId)
        .filter((m) => m.msgType === 'post')
        .sort((a, b) => a.seq - b.seq);
    await h.sandbox.waitFor(
      () => threadEntries(replies()).find((e) => /^✅ Succeeded: Quick steps/.test(e)),
      20_000,
    );
    const entries = threadEntries(replies());

    // Every line, once, in step order, then the summary as a reply of its own.
    const lines = entries.filter((e) => / · Quick step \d\d — /.test(e));
    expect(lines.map((e) => / · (Quick step \d\d — \w+)/.exec(e)?.[1])).toEqual(
      TITLES.flatMap((t) => [`${t} — started`, `${t} — succeeded`]),
    );
    expect(entries).toHaveLength(41);
    expect(entries.at(-1)).toMatch(/^✅ Succeeded: Quick steps/);
    expect(replies().at(-1)?.content).toMatchObject({ en_us: { content: expect.any(Array) } });
    expect(threadEntries([replies().at(-1) as NonNullable<ReturnType<typeof replies>[number]>])).toHaveLength(
      1,
    );
    // Fewer replies than lines: lines owed while a reply waited for its slot went together.
    expect(replies().length).toBeLessThan(41);
    console.log(`[thread] 40 step lines and the summary in ${replies().length} replies`);

    // Each line keeps its own clock time and T+, as the steps' records say.
    const run = await h.ctx.pool.query('SELECT started_at FROM runs WHERE id = $1', [value.run]);
    const startedRun = (run.rows[0].started_at as Date).toISOString();
    const steps = await h.ctx.pool.query(
      'SELECT started_at, finished_at FROM steps WHERE run_id = $1 ORDER BY idx',
      [value.run],
    );
    const stamp = (d: Date) => {
      const iso = d.toISOString();
      return `${formatClock(iso, 'Asia/Shanghai')} · ${formatElapsed(elapsedBetween(startedRun, iso) ?? Number.NaN)}`;
    };
    expect(lines.map((e) => /^\S+ (\d\d:\d\d:\d\d · T\+\d\d:\d\d) · /.exec(e)?.[1])).toEqual(
      steps.rows.flatMap((s) => [stamp(s.started_at), stamp(s.finished_at)]),
    );

    // Within Lark's rate limits: the sandbox refused nothing (no 429), and nothing is left owed.
    expect(h.sandbox.requests().filter((r) => r.status === 429)).toEqual([]);
    const outbox = await h.ctx.pool.query(
      `SELECT state, count(*)::int AS n FROM outbox WHERE run_id = $1 AND op = 'thread' GROUP BY state`,
      [value.run],
    );
    expect(outbox.rows).toEqual([{ state: 'sent', n: 41 }]);
  });
});
