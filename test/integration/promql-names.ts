const NOT_METRICS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects, e.g. ["gophermq_messages_held"] for
 * `sum by (job) (gophermq_messages_held{job="x"})`. Enough for dashboard queries: strings, label
 * matchers, durations, label lists and numbers are dropped, and a name followed by "(" is a function.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ')
    .replace(/(?<![\w:])\d[\d.]*(?:e[+-]?\d+)?/gi, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const isCall = /^\s*\(/.test(stripped.slice(match.index! + match[0].length));
    if (!isCall && !NOT_METRICS.has(match[0].toLowerCase())) names.add(match[0]);
  }
  return [...names];
}

/**
 * The store's call series: on the memory store nothing calls a server, so the labelled ones have no
 * sample (a scrape shows their # TYPE line only). Excused where a test needs samples, and only then.
 */
export const STORE_CALL_SERIES = ['gophermq_store_errors_total', 'gophermq_store_call_duration_seconds', 'gophermq_store_up'];

/** The family a series belongs to: a histogram's _bucket, _sum and _count series are its own. */
export function familyOf(series: string): string {
  return series.replace(/_(bucket|sum|count)$/, '');
}
