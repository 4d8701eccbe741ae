import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDependencyMonitor } from '../../src/util/dependencies.js';
import { createLogger } from '../../src/util/logger.js';

/** Issue 15: a lost dependency is logged once, once per interval while gone (with a count), once on return. */

function logger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'info',
    redact: (t) => t,
    destination: new Writable({
      write(chunk, _e, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    }),
  });
  return { log, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('dependency monitor', () => {
  it('logs a lost Redis once, then one line per interval with a count, then once when it is back', () => {
    vi.useFakeTimers();
    const { log, lines } = logger();
    const deps = createDependencyMonitor(log, {
      redisUrl: 'redis://127.0.0.1:6390',
      databaseUrl: 'postgres://u@127.0.0.1:5440/db',
      reportEveryMs: 10_000,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 300; i++) {
      deps.failed('redis', refused);
      // Other code logging the same error is counted, not written.
      log.warn({ queue: 'execute', err: refused.message }, 'worker error');
      vi.advanceTimersByTime(100);
    }
    expect(deps.states()).toEqual({ postgres: 'up', redis: 'down' });
    deps.ok('redis');
    deps.ok('redis');
    // 30 s gone, 600 errors: four lines.
    const still = expect.stringMatching(/^redis still unreachable \(\d+ connection errors/);
    expect(lines.map((l) => l.msg)).toEqual([
      'redis is unreachable',
      still,
      still,
      still,
      'redis is reachable again',
    ]);
    expect(lines[1]?.errors).toBeGreaterThan(150);
    expect(deps.states().redis).toBe('up');
    deps.close();
  });

  it('tells Postgres errors from Redis ones, and lets other warnings through', () => {
    const { log, lines } = logger();
    const deps = createDependencyMonitor(log, {
      redisUrl: 'redis://127.0.0.1:6390',
      databaseUrl: 'postgres://u@127.0.0.1:5440/db',
    });
    log.warn({ err: new Error('connect ECONNREFUSED 127.0.0.1:5440') }, 'lease renewal failed');
    log.warn({ err: 'Connection terminated unexpectedly' }, 'sweep failed');
    log.warn({ err: 'Lark answered 400' }, 'Lark refused a message for good');
    expect(deps.states()).toEqual({ postgres: 'down', redis: 'up' });
    expect(lines.map((l) => l.msg)).toEqual(['postgres is unreachable', 'Lark refused a message for good']);
    deps.close();
  });
});
