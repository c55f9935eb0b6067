/** How one push request ended, as counted in gophermq_push_requests_total{outcome}. */
export type PushOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error';

export const PUSH_OUTCOMES: readonly PushOutcome[] = ['2xx', '3xx', '4xx', '5xx', 'timeout', 'error'];

/** Told of every push request, for the metrics (set once, by the metrics module). */
export interface PushObserver {
  pushed(outcome: PushOutcome, seconds: number): void;
}

/** What the receiver answered: its outcome, and for a 429/503 with `Retry-After`, how long it asked to wait. */
export interface PushAnswer {
  outcome: PushOutcome;
  retryAfterMs?: number;
}
