import type { Logger } from '../util/logger.js';

/**
 * The one owner of the lifecycle: first SIGTERM/SIGINT closes in order; a second one exits at once. With
 * `hardExitMs`, the process exits 0 that long after the first signal whatever close() is still waiting for
 * (a server that cannot be reached): the bookkeeping that could be done is done by then.
 */
export function onShutdown(log: Logger, close: () => Promise<void>, hardExitMs?: number): void {
  let closingSince = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (closingSince) {
      // npm forwards a terminal's Ctrl-C that we also received: only a later, separate signal forces exit.
      if (Date.now() - closingSince < 1500) return;
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closingSince = Date.now();
    log.info({ signal }, 'shutting down');
    if (hardExitMs !== undefined) {
      setTimeout(() => {
        log.warn({ afterMs: hardExitMs }, 'shutdown bound reached: exiting now');
        process.exit(0);
      }, hardExitMs);
    }
    close().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The same for processes without a logger (the sandbox). */
export function onShutdownPlain(close: () => Promise<void>): void {
  const handler = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
