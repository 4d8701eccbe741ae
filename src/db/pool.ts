import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'rollback-bot' });
  // An idle client's error (e.g. Postgres restarting) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out one's (a delivery holding its stream lock while Lark is slow, a transaction between two
  // queries): pg emits 'error' on the client, and without a listener that kills the process. Its next query
  // fails instead, and the pool discards it on release (it is no longer queryable).
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Run `work` in one transaction; rolls back on any throw. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
