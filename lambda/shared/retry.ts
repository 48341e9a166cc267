import { RetryExhaustedError } from './errors';

/** A bounded retry policy: exponential backoff with full jitter, capped. */
export interface RetryPolicy {
  /** Total attempts, including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const KMS_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2000 };

export interface RetryHooks {
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  readonly onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Runs `fn`, retrying while `isRetryable(err)` up to `policy.maxAttempts` attempts in total. A
 * non-retryable error is rethrown at once; when attempts run out, RetryExhaustedError carries the
 * last error as `cause`.
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  isRetryable: (err: unknown) => boolean,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const doSleep = hooks.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= policy.maxAttempts) {
        throw new RetryExhaustedError(
          `${what} still failed after ${attempt} attempts (${errorName(err)}: ${(err as Error)?.message ?? String(err)}); the message will be retried by the queue`,
          attempt,
          { cause: err },
        );
      }
      const delay = backoffDelay(policy, attempt, hooks.random);
      hooks.onRetry?.(attempt, delay, err);
      await doSleep(delay);
    }
  }
}

export function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? typeof err;
}
