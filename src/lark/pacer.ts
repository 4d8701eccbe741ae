import type { Redis } from 'ioredis';

/**
 * Keeps the bot inside Lark's per-chat (5/s, creates and replies together) and per-message (5/s, patches)
 * limits across every worker process: a shared schedule in Redis hands each send its own slot
 * (a GCRA-style "next free time"), so Lark never has to refuse us.
 */
const SCRIPT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(nextFree, now)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor(slot + interval - now + 2000))
return slot - now
`;

export interface Pacer {
  /** Resolves when a send for `key` may go out. */
  wait(key: string): Promise<void>;
}

export function createRedisPacer(redis: Redis, prefix: string, intervalMs = 220): Pacer {
  return {
    async wait(key) {
      const delay = Number(await redis.eval(SCRIPT, 1, `${prefix}:pace:${key}`, Date.now(), intervalMs));
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    },
  };
}
