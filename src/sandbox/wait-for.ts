import type { EventEmitter } from 'node:events';
import type { SandboxEventMap } from './types.js';

/** A predicate's "not yet": any falsy value. Anything else resolves the wait with that value. */
export type Probe<T> = () => T | undefined | null | false;

/**
 * Resolves with the probe's first truthy value, re-checking only when the store changes (no polling), or
 * rejects after `timeoutMs` with `describe()` in the message so a failing test says what it was waiting for.
 */
export function waitForChange<T>(
  events: EventEmitter<SandboxEventMap>,
  probe: Probe<T>,
  timeoutMs: number,
  describe: () => string = () => 'condition',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      events.off('change', check);
      if (timer) clearTimeout(timer);
      settle();
    };
    function check(): boolean {
      let value: T | undefined | null | false;
      try {
        value = probe();
      } catch (err) {
        finish(() => reject(err));
        return true;
      }
      if (!value) return false;
      finish(() => resolve(value as T));
      return true;
    }
    if (check()) return;
    events.on('change', check);
    timer = setTimeout(
      () => finish(() => reject(new Error(`sandbox.waitFor timed out after ${timeoutMs} ms: ${describe()}`))),
      timeoutMs,
    );
  });
}
