import type { Queryable } from '../db/pool.js';

/** Counts for the metrics endpoint, read at scrape time (the database is the truth, not process memory). */
export async function countsByState(
  q: Queryable,
): Promise<{ runs: Record<string, number>; outbox: Record<string, number> }> {
  const [runs, outbox] = await Promise.all([
    q.query('SELECT state::text AS state, count(*)::int AS n FROM runs GROUP BY state'),
    q.query('SELECT state, count(*)::int AS n FROM outbox GROUP BY state'),
  ]);
  const fold = (rows: { state: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.state, r.n]));
  return { runs: fold(runs.rows), outbox: fold(outbox.rows) };
}
