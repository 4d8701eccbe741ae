import type pg from 'pg';

/**
 * A pg client config taken from the check's env only. Given a bare connection string, pg fills whatever the
 * URL leaves out (password, user, host, application name, ssl mode) from `process.env`: in a spawned check that
 * is the step's env, but in a check the worker runs in its own process it would be the worker's (its PGPASSWORD,
 * its USER). So the URL is parsed here and every part it leaves out comes from the check's env, as libpq would.
 * A URL this cannot parse (an odd unix-socket form) is handed to pg as is. `isolated`: the check runs inside the
 * worker.
 */
export function pgClientConfig(
  url: string,
  env: Record<string, string | undefined>,
  isolated: boolean,
): pg.ClientConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url };
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) return { connectionString: url };
  const query = parsed.searchParams;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = decode(parsed.username) || query.get('user') || env.PGUSER || env.USER || 'postgres';
  const password = decode(parsed.password) || query.get('password') || env.PGPASSWORD;
  const host = decode(parsed.hostname) || query.get('host') || env.PGHOST || 'localhost';
  const port = Number(parsed.port || query.get('port') || env.PGPORT || 5432);
  const database =
    decode(parsed.pathname.replace(/^\//, '')) || query.get('dbname') || env.PGDATABASE || user;
  const sslmode = query.get('sslmode') ?? env.PGSSLMODE;
  const ssl =
    sslmode === undefined || sslmode === 'disable' || sslmode === 'prefer' || sslmode === 'allow'
      ? false
      : sslmode === 'no-verify' || sslmode === 'require'
        ? { rejectUnauthorized: false }
        : true;
  // No password anywhere: a program of its own may look in ~/.pgpass as libpq does (pg does); inside the worker
  // a function stops pg from reading the worker's PGPASSWORD or its ~/.pgpass.
  const secret = password !== undefined || isolated ? { password: () => password ?? '' } : {};
  return {
    user,
    ...secret,
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    port,
    database,
    ssl,
    application_name: query.get('application_name') ?? env.PGAPPNAME ?? 'rollback-bot-check',
    // pg reads PGOPTIONS and PGCLIENT_ENCODING from process.env whenever these are unset: inside the worker that
    // would be the worker's own, so both are always given (a blank options string would be ignored: one space).
    ...options(query.get('options') ?? env.PGOPTIONS, isolated),
    ...(isolated ? { client_encoding: env.PGCLIENT_ENCODING || 'UTF8' } : {}),
  };
}

function options(value: string | undefined, isolated: boolean): { options?: string } {
  if (value) return { options: value };
  return isolated ? { options: ' ' } : {};
}
