import type pg from 'pg';

/**
 * Read-only questions about the server's connections, from pg_stat_activity. A role without pg_monitor (or
 * pg_read_all_stats) sees other roles' sessions with their state and backend type hidden: those are counted
 * as clients when they belong to a database (background processes do not), and reported as not visible.
 */

export interface ConnectionLimits {
  max: number;
  /** superuser_reserved_connections + reserved_connections (Postgres 16+): slots ordinary roles cannot use. */
  reserved: number;
  /** Client connections on the whole server, this check's own included. */
  used: number;
  /** Client connections to the target's database (current_database()). */
  here: number;
  /** Sessions of other roles whose state this role may not read. */
  hidden: number;
  /** The target database's client connections by state (visible ones only). */
  states: Record<string, number>;
}

const CLIENT = `(backend_type = 'client backend' OR (backend_type IS NULL AND datid IS NOT NULL))`;

export async function connectionLimits(client: pg.Client): Promise<ConnectionLimits> {
  const { rows } = await client.query<{
    max: number;
    reserved: number;
    used: number;
    here: number;
    hidden: number;
  }>(
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int
              + coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
            count(*) FILTER (WHERE ${CLIENT})::int AS used,
            count(*) FILTER (WHERE ${CLIENT} AND datname = current_database())::int AS here,
            count(*) FILTER (WHERE backend_type IS NULL AND datid IS NOT NULL)::int AS hidden
       FROM pg_stat_activity`,
  );
  const states = await client.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname = current_database() AND state IS NOT NULL
      GROUP BY state ORDER BY state`,
  );
  const row = rows[0];
  if (!row) throw new Error('pg_stat_activity returned no row');
  return { ...row, states: Object.fromEntries(states.rows.map((r) => [r.state, r.n])) };
}

export interface StuckSession {
  pid: number;
  user: string | null;
  app: string;
  state: string;
  /** Seconds since the session became idle in its transaction. */
  seconds: number;
}

/** Sessions of the target's database idle in a transaction for at least `minSeconds`, longest first. */
export async function idleInTransaction(client: pg.Client, minSeconds: number): Promise<StuckSession[]> {
  const { rows } = await client.query<StuckSession>(
    `SELECT pid, usename AS user, coalesce(application_name, '') AS app, state,
            extract(epoch FROM now() - state_change)::float8 AS seconds
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND state IN ('idle in transaction', 'idle in transaction (aborted)')
        AND now() - state_change >= make_interval(secs => $1)
      ORDER BY state_change
      LIMIT 50`,
    [minSeconds],
  );
  return rows;
}

/** Client connections to the target's database whose application_name is `name`. */
export async function appConnections(client: pg.Client, name: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`,
    [name],
  );
  return rows[0]?.n ?? 0;
}
