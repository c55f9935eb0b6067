import { GopherMQConnectionError, GopherMQError } from './errors.js';
import type { RetryPolicy } from './routes.js';

/** Retries after 429, 503 and connection failures, with exponential backoff and jitter. */
export interface RetryOptions {
  /** Tries after the first; default 3. */
  retries?: number;
  /** The first wait, doubled on each retry; default 100. */
  minDelayMs?: number;
  /** The longest wait; a `Retry-After` longer than this is not waited for, the error is thrown. Default 10,000. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 3, minDelayMs: 100, maxDelayMs: 10_000 };

/** How long to wait before the next try, or undefined to give up with this error. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, options: Required<RetryOptions>): number | undefined {
  if (policy === 'never' || attempt >= options.retries) return undefined;
  const retryable =
    error instanceof GopherMQError ? error.status === 429 || (policy === 'safe' && error.status === 503) : policy === 'safe' && error instanceof GopherMQConnectionError;
  if (!retryable) return undefined;
  const asked = error instanceof GopherMQError && error.retryAfter !== undefined ? error.retryAfter * 1000 : undefined;
  if (asked !== undefined) return asked <= options.maxDelayMs ? asked : undefined;
  return backoffMs(attempt, options);
}

/** `minDelayMs · 2^attempt`, at most `maxDelayMs`, between half of it and all of it ("equal jitter"), so clients refused together do not return together. */
export function backoffMs(attempt: number, { minDelayMs, maxDelayMs }: Pick<Required<RetryOptions>, 'minDelayMs' | 'maxDelayMs'>): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
