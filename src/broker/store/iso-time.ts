let lastMs = NaN;
let lastText = '';

/**
 * A publish time as a fetch answer gives it: RFC 3339 with milliseconds, UTC (toISOString).
 * Messages published together share their millisecond, and a replay answers them in order: the
 * last one is remembered, so a run of them costs one conversion.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
