import type { Pool } from 'pg';
import type { StoredMessage } from '../../src/sandbox/types.js';

type PostBody = { content?: Array<Array<{ tag?: string; text?: string }>> };

/** The English lines of a thread reply (a post, or a plain text message). */
export function englishLines(m: StoredMessage): string[] {
  if (m.msgType === 'text') return String((m.content as { text?: string }).text ?? '').split('\n');
  if (m.msgType !== 'post') return [];
  const body = (m.content as Record<string, PostBody | undefined>).en_us;
  return (body?.content ?? []).map((p) => p.map((el) => el.text ?? '').join(''));
}

/** The thread replies under a run's card, in the order the sandbox stored them. */
export function threadOf(messages: readonly StoredMessage[], cardId: string): StoredMessage[] {
  return messages.filter((m) => m.parentId === cardId || m.rootId === cardId).sort((a, b) => a.seq - b.seq);
}

/** A thread line's time stamp: `… 10:32:05 · T+00:12 · …`. */
const STAMP = / · T\+\d\d:\d\d · /;
/** The runbook's own numbering, which the thread leaves out of a title (cards/step-lines.ts). */
const OWN_NUMBER = /^\d+(?:\s*[–-]\s*\d+)?\.\s+(?=\S)/;

/**
 * Thread lag of a finished run: for each step that ended (DB `finished_at`), the time from its end to the
 * sandbox storing the reply that carries its end line, in ms. End lines are matched to steps in order (the
 * thread is in step order) and each is checked to name its step. Both clocks are this machine's. Also returns
 * how many step lines (starts and ends) and replies the thread had.
 */
export async function threadLag(
  pool: Pick<Pool, 'query'>,
  runId: string,
  thread: readonly StoredMessage[],
): Promise<{ lags: number[]; lines: number; replies: number }> {
  const steps = await pool.query(
    `SELECT title->>'en-US' AS title, extract(epoch FROM finished_at) * 1000 AS finished
       FROM steps WHERE run_id = $1 AND finished_at IS NOT NULL ORDER BY idx`,
    [runId],
  );
  const lines = thread.flatMap((m) => englishLines(m).map((text) => ({ text, at: m.createTime })));
  const stamped = lines.filter((l) => STAMP.test(l.text));
  const ends = stamped.filter((l) => !l.text.endsWith(' — started'));
  const lags = steps.rows.map((step, i) => {
    const title = String(step.title);
    const end = ends[i];
    const name = title.replace(OWN_NUMBER, '') || title;
    if (!end?.text.includes(` · ${name} — `)) {
      throw new Error(`run ${runId}: end line ${i + 1} of its thread is not step "${title}": ${end?.text}`);
    }
    return end.at - Number(step.finished);
  });
  return { lags, lines: stamped.length, replies: thread.length };
}
