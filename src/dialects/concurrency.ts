/**
 * Bounded parallelism and retry with exponential backoff, shared by the Snowflake and
 * Databricks adapters. Pure helpers over promises: no driver knowledge here; each
 * adapter says which errors are worth retrying.
 */

/** Retry policy. Invariant: retries >= 0, 0 < baseMs <= maxMs. */
export interface RetryPolicy {
  /** Extra attempts after the first one. */
  retries: number;
  /** First backoff; doubled per attempt (with jitter), capped by maxMs. */
  baseMs: number;
  maxMs: number;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; defaults to Math.random. Jitter keeps parallel readers apart. */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseMs: 250, maxMs: 8_000 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Backoff before attempt `attempt` (1-based retry number): base * 2^(attempt-1), jittered, capped. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const r = (policy.random ?? Math.random)();
  // "Equal jitter": never less than half the exponential delay.
  return Math.round(exp / 2 + (exp / 2) * r);
}

/** Run fn, retrying while isRetryable(error) says so and attempts remain. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  isRetryable: (e: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (e: unknown, attempt: number, waitMs: number) => void,
): Promise<T> {
  const wait = policy.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= policy.retries || !isRetryable(e)) throw e;
      const ms = backoffMs(policy, attempt + 1);
      onRetry?.(e, attempt + 1, ms);
      await wait(ms);
    }
  }
}

/**
 * Map over items with at most `limit` calls in flight; results keep input order.
 * The first rejection rejects the whole map (remaining work is not started).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`parallelism must be a positive integer, got ${limit}`);
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A concurrency limit that backs off when the server says it is busy (additive
 * increase, multiplicative decrease, as TCP does): every query takes a slot; a
 * throttled answer halves the limit (never below 1), and each run of `limit`
 * successes raises it by one again, never above `max`. So a reader never has more
 * than `max` (the configured parallelism) queries in flight, and sends fewer while
 * the server is saturated instead of retrying into it at full width.
 */
export class AdaptiveLimit {
  private current: number;
  private inFlight = 0;
  private streak = 0;
  private readonly waiting: (() => void)[] = [];
  /** The lowest limit reached (for benchmarks and tests). */
  low: number;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`parallelism must be a positive integer, got ${max}`);
    this.current = max;
    this.low = max;
  }

  get limit(): number {
    return this.current;
  }

  /** Run fn in a slot; `throttled(e)` says whether a failure means "slow down". */
  async run<T>(fn: () => Promise<T>, throttled: (e: unknown) => boolean): Promise<T> {
    while (this.inFlight >= this.current) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      const v = await fn();
      if (++this.streak >= this.current && this.current < this.max) {
        this.current++;
        this.streak = 0;
      }
      return v;
    } catch (e) {
      if (throttled(e)) {
        this.current = Math.max(1, Math.floor(this.current / 2));
        this.low = Math.min(this.low, this.current);
        this.streak = 0;
      }
      throw e;
    } finally {
      this.inFlight--;
      // One slot freed: the next waiter re-checks the (possibly lowered) limit itself.
      this.waiting.shift()?.();
    }
  }
}
