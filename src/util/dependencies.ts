import { type Logger, setLogGate } from './logger.js';

export type Dependency = 'postgres' | 'redis';

/** One line per interval while a dependency stays gone. */
export const DEPENDENCY_REPORT_MS = 10_000;

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|max retries per request|Connection terminated|connection error|not queryable|terminating connection|the database system is (shutting down|starting up|in recovery mode)|timeout exceeded when trying to connect/i;
const POSTGRES_ONLY =
  /Connection terminated|not queryable|terminating connection|the database system is|timeout exceeded when trying to connect/i;
const REDIS_ONLY = /Connection is closed|Stream isn't writeable|max retries per request/i;

/**
 * Knows whether Redis and Postgres are reachable, and keeps their loss out of the log's way: a lost
 * dependency is logged once when it goes, once per interval while it stays gone (with how many errors were
 * seen meanwhile), and once when it returns. Connection errors other code logs about a dependency are
 * counted here instead of written one by one (through the logger's gate).
 */
export interface DependencyMonitor {
  /** A failure talking to `name`. */
  failed(name: Dependency, error?: unknown): void;
  /** `name` answered. */
  ok(name: Dependency): void;
  /** Each dependency, `up` or `down`. */
  states(): Record<Dependency, 'up' | 'down'>;
  /** Which dependency a connection error is about, if it is one (`hint`: whose client reported it). */
  classify(error: unknown, hint?: Dependency): Dependency | undefined;
  close(): void;
}

interface State {
  down: boolean;
  since: number;
  errors: number;
  first?: string;
}

const messageOf = (error: unknown): string =>
  error instanceof Error
    ? `${error.message} ${(error as { code?: string }).code ?? ''}`
    : typeof error === 'string'
      ? error
      : '';

const portOf = (url: string, fallback: string): string => {
  try {
    return new URL(url).port || fallback;
  } catch {
    return fallback;
  }
};

export function createDependencyMonitor(
  log: Logger,
  options: { redisUrl: string; databaseUrl: string; reportEveryMs?: number; now?: () => number },
): DependencyMonitor {
  const now = options.now ?? Date.now;
  const ports: Record<Dependency, string> = {
    redis: `:${portOf(options.redisUrl, '6379')}`,
    postgres: `:${portOf(options.databaseUrl, '5432')}`,
  };
  const state: Record<Dependency, State> = {
    postgres: { down: false, since: 0, errors: 0 },
    redis: { down: false, since: 0, errors: 0 },
  };
  const names = Object.keys(state) as Dependency[];

  const classify = (error: unknown, hint?: Dependency): Dependency | undefined => {
    const text = messageOf(error);
    if (!CONNECTION_ERROR.test(text)) return undefined;
    if (hint) return hint;
    const byPort = names.filter((n) => text.includes(ports[n]));
    if (byPort.length === 1) return byPort[0];
    if (POSTGRES_ONLY.test(text)) return 'postgres';
    if (REDIS_ONLY.test(text)) return 'redis';
    const down = names.filter((n) => state[n].down);
    return down.length === 1 ? down[0] : undefined;
  };

  const self: DependencyMonitor = {
    failed(name, error) {
      const s = state[name];
      if (s.down) {
        s.errors += 1;
        return;
      }
      Object.assign(s, { down: true, since: now(), errors: 0, first: messageOf(error).trim() });
      log.warn({ dependency: name, err: s.first }, `${name} is unreachable`);
    },
    ok(name) {
      const s = state[name];
      if (!s.down) return;
      s.down = false;
      log.info({ dependency: name, downMs: now() - s.since, errors: s.errors }, `${name} is reachable again`);
    },
    states: () => ({
      postgres: state.postgres.down ? 'down' : 'up',
      redis: state.redis.down ? 'down' : 'up',
    }),
    classify,
    close() {
      clearInterval(timer);
      setLogGate(log, undefined);
    },
  };

  const timer = setInterval(() => {
    for (const name of names) {
      const s = state[name];
      if (!s.down) continue;
      log.warn(
        { dependency: name, downMs: now() - s.since, errors: s.errors },
        `${name} still unreachable (${s.errors} connection errors since the last report)`,
      );
      s.errors = 0;
    }
  }, options.reportEveryMs ?? DEPENDENCY_REPORT_MS);
  timer.unref();

  // Lines other code logs about a connection error are counted against their dependency, not written.
  setLogGate(log, (fields, msg, level) => {
    if (level < 40 || fields.dependency !== undefined) return true;
    const error = fields.err ?? fields.error;
    const about = classify(`${messageOf(error)} ${msg}`);
    if (!about) return true;
    self.failed(about, error ?? msg);
    return false;
  });
  return self;
}

/** Probe Postgres every `everyMs` (one at a time), so the monitor also sees it return while nobody asks. */
export function watchPostgres(
  monitor: DependencyMonitor,
  query: () => Promise<unknown>,
  everyMs = 1000,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    query()
      .then(
        () => monitor.ok('postgres'),
        (error) => {
          if (monitor.classify(error) === 'postgres') monitor.failed('postgres', error);
        },
      )
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
