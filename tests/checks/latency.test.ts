import { createServer, type Server } from 'node:http';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile, summarise } from '../../src/checks/latency.js';
import { parseResultLine } from '../../src/checks/result.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';
import { check, freePort } from './helpers.js';

/**
 * The `latency` check (issue 14 item 4, the seed's "API响应时间正常(<500ms)"): against the real example app, a
 * deliberately slow endpoint, one that never answers, one that refuses, and one that answers 503.
 */
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ROLLBACK_BOT_RESULT_LINE: '1' };
const SLOW_MS = 700;
let server: Server;
let base = '';
let service: LarkService;
const held: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('{"ok":true}'), SLOW_MS);
    else if (req.url === '/tick') setTimeout(() => res.end('ok'), 100);
    else if (req.url === '/down') res.writeHead(503).end('{"status":"not_ready"}');
    else if (req.url === '/hang') held.push(() => res.end());
    else res.end('fast');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  service = await startLarkService('latency-check-password');
  await execa('examples/lark-service/app', ['start'], {
    env: {
      PATH: env.PATH,
      DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL,
      LARK_SERVICE_URL: service.url,
      LARK_SERVICE_STATE_DIR: service.env.LARK_SERVICE_STATE_DIR,
    },
    extendEnv: false,
  });
}, 60_000);

afterAll(async () => {
  for (const release of held) release();
  server?.closeAllConnections();
  server?.close();
  await service?.close();
});

describe('latency', () => {
  it('percentiles are nearest-rank', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile(twenty, 50)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(summarise([30, 10, 20])).toEqual({ n: 3, p50: 20, p95: 30, max: 30 });
    expect(Number.isNaN(percentile([], 95))).toBe(true);
  });

  it('passes against the example app: 20 requests to /health/ready, p95 under 500ms, in both languages', async () => {
    const run = await check(env, ['latency', '--url', `${service.url}/health/ready`]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^times \(ms\): (\d+\.\d )+\d+\.\d$/m);
    expect(run.out).toMatch(
      /^latency: GET http:\/\/127\.0\.0\.1:\d+\/health\/ready: 20 request\(s\), p95 [\d.]+ms under 500ms \(p50 [\d.]+ms, p95 [\d.]+ms, max [\d.]+ms\)$/m,
    );
    const result = parseResultLine(run.out);
    expect(result?.text['zh-CN']).toMatch(
      /：20 次请求，p95 [\d.]+ms 低于 500ms（p50 [\d.]+ms，最大 [\d.]+ms）$/,
    );
  });

  it('fails against a slow endpoint, with the measured p95 in its output', async () => {
    const run = await check(env, ['latency', '--url', `${base}/slow`, '--requests', '3']);
    expect(run.code).toBe(1);
    const m =
      /latency: GET http:\/\/127\.0\.0\.1:\d+\/slow: p95 (\d+)ms is not under 500ms over 3 request\(s\) \(p50 \d+ms, p95 \d+ms, max \d+ms\)/.exec(
        run.err,
      );
    expect(m, run.err).not.toBeNull();
    // The server waits SLOW_MS before answering, so no measurement can be below it (timers may fire 1 ms early).
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(SLOW_MS - 1);
    // The same endpoint passes under a threshold above its delay: the limit is what decides.
    const relaxed = await check(env, ['latency', '--url', `${base}/slow`, '--requests', '2', '--p95', '10s']);
    expect(relaxed.code, relaxed.err).toBe(0);
  });

  it('a refused URL fails at the first request with the reason', async () => {
    const port = await freePort();
    const run = await check(env, ['latency', '--url', `http://127.0.0.1:${port}/health/ready`]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `latency: GET http://127.0.0.1:${port}/health/ready: request 1/20 failed: ECONNREFUSED`,
    );
  });

  it('a request with no answer fails at its --timeout; --within bounds the whole check', async () => {
    const hang = await check(env, ['latency', '--url', `${base}/hang`, '--timeout', '300ms']);
    expect(hang.code).toBe(1);
    expect(hang.err).toMatch(/\/hang: request 1\/20 failed: no answer within 300ms$/);
    const bounded = await check(env, [
      'latency',
      '--url',
      `${base}/tick`,
      '--requests',
      '1000',
      '--timeout',
      '5s',
      '--within',
      '1s',
    ]);
    expect(bounded.code).toBe(1);
    expect(bounded.err).toMatch(
      /\/tick: request \d+\/1000 failed: the check ran out of time \(--within\); before it: p50 \d+ms, p95 \d+ms, max \d+ms$/,
    );
  });

  it('a non-2xx answer fails with its status and body; bad usage exits 2', async () => {
    const down = await check(env, ['latency', '--url', `${base}/down`]);
    expect(down.code).toBe(1);
    expect(down.err).toContain('/down: request 1/20 answered 503 {"status":"not_ready"}');
    for (const argv of [
      ['latency'],
      ['latency', '--url', 'ftp://x'],
      ['latency', '--url', base, '--requests', '0'],
      ['latency', '--url', base, '--p95', 'fast'],
      ['latency', '--url', base, '--timeout', '0s'],
    ]) {
      const run = await check(env, argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toContain('usage: check latency --url <u>');
    }
  });
});
