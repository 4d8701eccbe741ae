/**
 * Sliding one-window limiter, the way Lark counts "5 QPS per chat / per message": at most `limit` accepted
 * requests in any window of `windowMs`. Only accepted requests are counted, so a client retrying after a 429
 * is not locked out by its own refusals.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: () => number,
    private readonly now: () => number,
    private readonly windowMs = 1000,
  ) {}

  /** Counts the request and returns null, or returns the whole seconds until a slot frees (at least 1). */
  tryAcquire(key: string): { limit: number; resetSeconds: number } | null {
    const t = this.now();
    const limit = this.limit();
    const recent = (this.hits.get(key) ?? []).filter((at) => at > t - this.windowMs);
    if (recent.length >= limit) {
      this.hits.set(key, recent);
      // A slot frees when enough old hits leave the window (more than one if the limit was lowered meanwhile).
      const blocker = recent[recent.length - limit] ?? t;
      return { limit, resetSeconds: Math.max(1, Math.ceil((blocker + this.windowMs - t) / 1000)) };
    }
    recent.push(t);
    this.hits.set(key, recent);
    return null;
  }

  reset(): void {
    this.hits.clear();
  }
}
