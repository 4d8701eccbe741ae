import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineTime, NewLines } from '../../src/checks/logs.js';
import { parseResultLine } from '../../src/checks/result.js';
import { check } from './helpers.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
let server: Server;
let base = '';
let readyAfter = 0;
let hits = 0;
let dir = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/health/ready' && hits > readyAfter) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    } else res.writeHead(503).end('{"status":"not_ready","missing_tables":["tokens"]}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = mkdtempSync(join(tmpdir(), 'checks-logs-'));
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('health', () => {
  it('passes on the first 2xx, after retries', async () => {
    hits = 0;
    readyAfter = 2;
    const run = await check(env, [
      'health',
      '--url',
      `${base}/health/ready`,
      '--attempts',
      '5',
      '--every',
      '50ms',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('attempt 1/5: 503 {"status":"not_ready","missing_tables":["tokens"]}');
    expect(run.out).toContain(`health: GET ${base}/health/ready → 200 on attempt 3/5`);
  });

  it('fails with the last answer when it never becomes healthy, or nothing listens', async () => {
    hits = 0;
    readyAfter = 100;
    const run = await check(env, [
      'health',
      '--url',
      `${base}/health/ready`,
      '--attempts',
      '2',
      '--every',
      '10ms',
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('not healthy after 2 attempt(s): 503 {"status":"not_ready"');
    server.closeAllConnections();
    const closed = await check(env, ['health', '--url', 'http://127.0.0.1:9/x', '--attempts', '1']);
    expect(closed.code).toBe(1);
    expect((await check(env, ['health', '--url', 'ftp://x'])).code).toBe(2);
    expect((await check(env, ['health', '--url', base, '--every', 'soon'])).code).toBe(2);
  });
});

describe('logs', () => {
  const logFile = () => join(dir, 'app.log');
  const cat = () => ['--', 'cat', logFile()];
  const stamp = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

  it('passes when no new line says ERROR, ignoring old ones (timestamped or not)', async () => {
    writeFileSync(logFile(), `${stamp(-60_000)} ERROR old failure\nplain ERROR line from before\n`);
    const timer = setTimeout(() => appendFileSync(logFile(), `${stamp()} INFO GET /health/ready 200\n`), 300);
    const run = await check(env, ['logs', '--for', '1s', '--every', '200ms', ...cat()]);
    clearTimeout(timer);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^logs: no ERROR in 1 new log line\(s\) over 1s \(\d+ reads\)$/);
  });

  it('passes on an app that logged nothing, but says so as a warning (nothing to judge by)', async () => {
    writeFileSync(logFile(), `${stamp(-60_000)} INFO started\n`);
    const run = await check({ ...env, ROLLBACK_BOT_RESULT_LINE: '1' }, [
      'logs',
      '--for',
      '300ms',
      '--every',
      '200ms',
      ...cat(),
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^logs: ⚠ the app logged nothing over 300ms \(\d+ reads\): no ERROR seen/);
    expect(run.out).not.toContain('in 0 new log line');
    const result = parseResultLine(run.out);
    expect(result?.skipped).toBeUndefined();
    expect(result?.text['zh-CN']).toMatch(/^⚠ 应用在 0.3秒 内没有输出任何日志/);
  });

  it('fails on a new ERROR line, printing it', async () => {
    writeFileSync(logFile(), `${stamp(-60_000)} INFO started\n`);
    const timer = setTimeout(
      () => appendFileSync(logFile(), `${stamp()} ERROR readiness check failed\n`),
      200,
    );
    const run = await check(env, ['logs', '--for', '3s', '--every', '100ms', ...cat()]);
    clearTimeout(timer);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ERROR readiness check failed');
    expect(run.err).toMatch(/logs: 1 line\(s\) matching ERROR after \d+m?s/);
  });

  it('--since counts lines from before the start; untimestamped repeats count once each', async () => {
    writeFileSync(logFile(), `${stamp(-5_000)} ERROR during start-up\n`);
    const since = await check(env, ['logs', '--for', '200ms', '--since', '30s', ...cat()]);
    expect(since.code).toBe(1);
    const fresh = new NewLines(Date.now());
    fresh.baseline('a\nERROR x\n');
    expect(fresh.take('a\nERROR x\nERROR x\n')).toEqual(['ERROR x']);
    expect(fresh.take('a\nERROR x\nERROR x\n')).toEqual([]);
    expect(lineTime('app-1  | 2026-01-18T02:00:00.123Z ERROR')).toBe(Date.parse('2026-01-18T02:00:00.123Z'));
    expect(lineTime('no time here')).toBeUndefined();
  });

  it('fails when the logs command fails, and needs a command', async () => {
    const run = await check(env, ['logs', '--for', '100ms', '--', 'cat', join(dir, 'missing.log')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('logs command (cat) exited with code 1');
    expect((await check(env, ['logs', '--for', '1s'])).code).toBe(2);
    expect((await check(env, ['logs', '--for', '1s', '--', 'no-such-program-xyz'])).err).toContain(
      'command not found',
    );
  });
});
