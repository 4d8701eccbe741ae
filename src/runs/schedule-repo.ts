import type { Queryable } from '../db/pool.js';

/** The schedule of runs started later (`at=`, issue 14): Postgres holds it, so nothing lives only in Redis. */

/** Record when a requested run is to start; `sent` marks reminders too early to make sense as already sent. */
export async function setStartAt(q: Queryable, runId: string, startAt: Date, sent: number[]): Promise<void> {
  await q.query(`UPDATE runs SET start_at = $2, reminders_sent = $3 WHERE id = $1`, [runId, startAt, sent]);
}

/** Scheduled runs whose start time has come (the sweep starts them if their delayed job was lost). */
export async function dueScheduledRuns(q: Queryable): Promise<string[]> {
  const result = await q.query(
    `SELECT id FROM runs WHERE state = 'scheduled' AND start_at <= now() ORDER BY start_at LIMIT 100`,
  );
  return result.rows.map((r) => r.id);
}

/** Scheduled runs owed a reminder: the latest-due offset (ms before the start) that passed, not yet sent. */
export async function dueReminders(
  q: Queryable,
  offsetsMs: readonly number[],
): Promise<{ id: string; offset: number }[]> {
  if (offsetsMs.length === 0) return [];
  const result = await q.query(
    `SELECT r.id, min(o.offset_ms)::bigint AS offset FROM runs r, unnest($1::bigint[]) AS o(offset_ms)
      WHERE r.state = 'scheduled' AND r.start_at > now()
        AND r.start_at - make_interval(secs => o.offset_ms / 1000.0) <= now()
        AND NOT (o.offset_ms = ANY (r.reminders_sent))
      GROUP BY r.id LIMIT 100`,
    [offsetsMs],
  );
  return result.rows.map((r) => ({ id: r.id, offset: Number(r.offset) }));
}

/**
 * Mark the reminder `offset` and every earlier-due one (larger offset) as sent: a later one covers them.
 * Returns false when another sweep got there first, so each reminder is posted once.
 */
export async function markRemindersSent(
  q: Queryable,
  runId: string,
  offsetsMs: readonly number[],
  offset: number,
): Promise<boolean> {
  const covered = offsetsMs.filter((o) => o >= offset);
  const result = await q.query(
    `UPDATE runs SET reminders_sent = ARRAY(SELECT DISTINCT unnest(reminders_sent || $2::bigint[]))
      WHERE id = $1 AND state = 'scheduled' AND NOT ($3::bigint = ANY (reminders_sent))`,
    [runId, covered, offset],
  );
  return (result.rowCount ?? 0) > 0;
}
