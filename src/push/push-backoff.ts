/** First retry of a failed push after about this long, doubling with each delivery. */
export const FIRST_RETRY_MS = 1000;
/** Longest wait between retries. */
export const LAST_RETRY_MS = 60_000;
/** Longest `Retry-After` honoured for a message (longer asks wait this long). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * How long a message whose push failed waits before it may be pushed again: its receiver's
 * `Retry-After` when it gave one, else 1 s doubling per delivery up to 60 s, with "equal jitter"
 * (between half and all of that), so the messages of one outage do not all come back at once.
 */
export function retryDelayMs(deliveries: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(FIRST_RETRY_MS * 2 ** Math.min(Math.max(deliveries, 1) - 1, 16), LAST_RETRY_MS);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
