// The example Lark Service: just enough of an application for the rollback runbooks to stop, start and
// health-check. `GET /health/ready` answers 200 only while the schema of migration 6fc3f28b87c8 exists (its
// tables, and the columns this code reads: the later release 9d4b2e7c1a35 renames one of them).
//
// Environment: DATABASE_URL (the schema to check), LARK_SERVICE_URL (where to listen; default
// http://127.0.0.1:8000). Log lines go to stdout, one per request, each starting with an ISO timestamp;
// `./app start` points stdout at the state directory's log file, which `./app logs --since 2m` reads.
import http from 'node:http';
import pg from 'pg';

const REQUIRED_TABLES = ['tokens', 'user_cache', 'user_auth_sessions'];
// Columns this code reads: a migration that renames one (the demo's bad release, 9d4b2e7c1a35) breaks the app.
const REQUIRED_COLUMNS = ['tokens.token_value', 'user_auth_sessions.state', 'user_cache.union_id'];
const url = new URL(process.env.LARK_SERVICE_URL || 'http://127.0.0.1:8000');
const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
const port = Number(url.port || 80);

function log(level, message) {
  process.stdout.write(`${new Date().toISOString()} ${level} ${message}\n`);
}

/** Removes a password from any URL-looking text (pg errors rarely carry one, but never log it). */
function scrub(text) {
  return String(text).replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}

async function readiness() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString)
    return { ok: false, body: { status: 'not_ready', error: 'DATABASE_URL is not set' } };
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000, query_timeout: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
      [REQUIRED_TABLES],
    );
    const present = new Set(rows.map((r) => r.table_name));
    const missing = REQUIRED_TABLES.filter((t) => !present.has(t));
    if (missing.length > 0) return { ok: false, body: { status: 'not_ready', missing_tables: missing } };
    const columns = await client.query(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name || '.' || column_name = ANY($1::text[])`,
      [REQUIRED_COLUMNS],
    );
    const found = new Set(columns.rows.map((r) => r.name));
    const gone = REQUIRED_COLUMNS.filter((c) => !found.has(c));
    if (gone.length > 0) return { ok: false, body: { status: 'not_ready', missing_columns: gone } };
    return { ok: true, body: { status: 'ready' } };
  } catch (err) {
    return {
      ok: false,
      body: { status: 'not_ready', error: scrub(err instanceof Error ? err.message : err) },
    };
  } finally {
    await client.end().catch(() => {});
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  const started = performance.now();
  const path = (req.url || '/').split('?')[0];
  let status = 404;
  try {
    if (req.method === 'GET' && path === '/health/live') {
      status = 200;
      send(res, status, { status: 'live', pid: process.pid });
    } else if (req.method === 'GET' && path === '/health/ready') {
      const result = await readiness();
      status = result.ok ? 200 : 503;
      if (!result.ok) {
        const why = result.body.missing_tables
          ? `missing tables: ${result.body.missing_tables.join(', ')}`
          : result.body.missing_columns
            ? `missing columns: ${result.body.missing_columns.join(', ')}`
            : result.body.error;
        log('ERROR', `readiness check failed: ${why}`);
      }
      send(res, status, result.body);
    } else {
      send(res, status, { error: 'not found' });
    }
  } catch (err) {
    status = 500;
    log('ERROR', `${req.method} ${path}: ${scrub(err instanceof Error ? err.stack : err)}`);
    if (!res.headersSent) send(res, status, { error: 'internal error' });
  }
  log('INFO', `${req.method} ${path} ${status} ${Math.round(performance.now() - started)}ms`);
});

server.on('error', (err) => {
  log('ERROR', `cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});

server.listen(port, host, () => {
  log('INFO', `lark-service listening on http://${url.host} (pid ${process.pid})`);
});

function shutdown(signal) {
  log('INFO', `received ${signal}, shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
