import type { Queryable } from '../db/pool.js';

/**
 * Record an inbound delivery; false when its event_id (or message_id) was seen before. Rows are kept well
 * past Lark's ~7 h retry window (see pruneInboundEvents).
 */
export async function recordInbound(
  q: Queryable,
  eventId: string,
  messageId: string | null,
): Promise<boolean> {
  const result = await q.query(
    'INSERT INTO inbound_events (event_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [eventId, messageId],
  );
  return result.rowCount === 1;
}

export async function pruneInboundEvents(q: Queryable, olderThanHours = 48): Promise<number> {
  const result = await q.query(
    `DELETE FROM inbound_events WHERE received_at < now() - $1 * interval '1 hour'`,
    [olderThanHours],
  );
  return result.rowCount ?? 0;
}
