import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveValueOf,
  CHAT,
  eventually,
  type Harness,
  LEAD_A,
  ONCALL,
  runState,
  SECRET,
  startHarness,
} from '../helpers/harness.js';

/**
 * Issue 13 item 1, through the whole bot: a `{{bot.check}}` step runs inside the worker (the program the check
 * starts is the worker's own child, no Node process between them), the card's Stop now stops it and kills
 * that program, and what the check prints is redacted in the database and the chat.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ runbooksDir: 'tests/fixtures/check-runbooks' });
}, 60_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

const cardsIn = (chat: string) => h.sandbox.botMessages(chat).filter((m) => m.msgType === 'interactive');

async function approved(text: string) {
  const before = cardsIn(CHAT).length;
  await h.sandbox.userSays({ chatId: CHAT, senderOpenId: ONCALL, text });
  const card = await h.sandbox.waitFor(() => cardsIn(CHAT)[before], 10_000);
  const value = await h.sandbox.waitFor(
    () => approveValueOf(h.sandbox.message(card.messageId) ?? card),
    20_000,
  );
  const clicked = await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: card.messageId, value });
  expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
  return { card, run: value.run };
}

const steps = async (run: string) =>
  (
    await h.ctx.pool.query(
      'SELECT step_id, state, exit_code, output_tail FROM steps WHERE run_id = $1 ORDER BY idx',
      [run],
    )
  ).rows as Array<{ step_id: string; state: string; exit_code: number | null; output_tail: string | null }>;

function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: state ?? '', ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

describe('checks inside the worker', () => {
  it("Stop now ends a waiting check cancelled and kills the program it started (the worker's own child)", async () => {
    const { card, run } = await approved('/rollback watch');
    const pidFile = join(h.markerDir, 'watch.pid');
    const pid = await eventually(
      async () =>
        existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined,
      20_000,
      'the logs command to start',
    );
    // No process in between: the logs command's parent is this process, where the worker runs.
    expect(stat(pid)?.ppid).toBe(process.pid);
    const cancel = await h.sandbox.waitFor(() => {
      const json = JSON.stringify(h.sandbox.message(card.messageId)?.content ?? {});
      const match = /"value":(\{"action":"cancel_now"[^}]*\})/.exec(json);
      return match?.[1] ? (JSON.parse(match[1]) as Record<string, string>) : undefined;
    }, 20_000);
    const clicked = await h.sandbox.click({
      operatorOpenId: ONCALL,
      messageId: card.messageId,
      value: cancel,
    });
    expect(clicked.toast?.type, JSON.stringify(clicked.toast)).toBe('success');
    await runState(h, run, 'cancelled');
    expect((await steps(run)).map((s) => [s.step_id, s.state, s.exit_code])).toEqual([
      ['watch', 'cancelled', null],
      ['after', 'cancelled', null],
    ]);
    await eventually(
      async () => {
        const s = stat(pid);
        return s === undefined || s.state === 'Z' || s.ppid !== process.pid ? true : undefined;
      },
      10_000,
      `the logs command (pid ${pid}) to be gone`,
    );
    const s = stat(pid);
    expect(s === undefined || s.state === 'Z').toBe(true);
  }, 60_000);

  it("a target's secret printed by a check is *** in the step record and the chat", async () => {
    const { card, run } = await approved('/rollback leak');
    await runState(h, run, 'failed');
    const [step] = await steps(run);
    expect(step).toMatchObject({ step_id: 'logs', state: 'failed', exit_code: 1 });
    expect(step?.output_tail).toContain('TOKEN=***');
    const dump = await h.ctx.pool.query(
      `SELECT (SELECT json_agg(r) FROM runs r)::text || (SELECT json_agg(s) FROM steps s)::text
         || (SELECT json_agg(o) FROM outbox o)::text AS dump`,
    );
    expect(dump.rows[0].dump).not.toContain(SECRET);
    const thread = await h.sandbox.waitFor(() => {
      const replies = h.sandbox.botMessages(CHAT).filter((m) => m.rootId === card.messageId);
      const all = JSON.stringify(replies);
      return all.includes('TOKEN=***') ? all : undefined;
    }, 20_000);
    expect(thread).not.toContain(SECRET);
    expect(JSON.stringify(h.sandbox.messages())).not.toContain(SECRET);
    expect(h.logs.join('\n')).not.toContain(SECRET);
  }, 60_000);
});
