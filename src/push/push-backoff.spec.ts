import { LAST_RETRY_MS, MAX_RETRY_AFTER_MS, retryDelayMs } from './push-backoff.js';
import { retryAfterOf } from './push-client.js';

describe(retryDelayMs.name, () => {
  it('waits 1 s doubling per delivery up to 60 s, jittered to between half and all of it', () => {
    const [low, high] = [() => 0, () => 0.999999];
    expect([1, 2, 3, 7, 8, 50].map((deliveries) => [retryDelayMs(deliveries, undefined, low), retryDelayMs(deliveries, undefined, high)])).toEqual([
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [30_000, LAST_RETRY_MS],
      [30_000, LAST_RETRY_MS],
      [30_000, LAST_RETRY_MS],
    ]);
  });

  it('takes the receiver\'s Retry-After instead, up to an hour', () => {
    expect(retryDelayMs(1, 5000)).toBe(5000);
    expect(retryDelayMs(9, 0)).toBe(0);
    expect(retryDelayMs(1, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe(retryAfterOf.name, () => {
  it('reads delay-seconds or an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterOf('3', now)).toBe(3000);
    expect(retryAfterOf(' 120 ', now)).toBe(120_000);
    expect(retryAfterOf('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterOf('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterOf(['7', '9'], now)).toBe(7000);
    for (const bad of [undefined, '', '-1', '1.5', 'soon']) expect(retryAfterOf(bad, now)).toBeUndefined();
  });
});
