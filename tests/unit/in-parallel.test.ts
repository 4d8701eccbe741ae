import { describe, expect, it } from 'vitest';
import { inParallel } from '../../src/util/in-parallel.js';

describe('inParallel', () => {
  it('keeps the items order whatever order they finish in, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 7 }, () => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      return { promise, resolve };
    });
    const all = inParallel([0, 1, 2, 3, 4, 5, 6], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await gates[n]?.promise;
      running -= 1;
      order.push(n);
      return `r${n}`;
    });
    // Finish them last to first, as far as the lanes allow.
    for (const n of [2, 1, 0, 5, 4, 3, 6]) {
      await new Promise((resolve) => setImmediate(resolve));
      gates[n]?.resolve();
    }
    expect(await all).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(order).not.toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('runs nothing for no items', async () => {
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
  });
});
