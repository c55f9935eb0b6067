import { getToken, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { Provider } from '@nestjs/common';
import type { Histogram, Registry } from 'prom-client';

export type RequestLabel = 'method' | 'code';
export type DenialLabel = 'token' | 'reason';

/** Names and labels kept from the original, so dashboards built on it keep working. */
export const REQUESTS_METRIC = 'gophermq_client_request_rate';
export const REQUEST_DURATION_METRIC = 'gophermq_request_duration_seconds';
/** Counted by the catch-all filter, which sees the error of a body cut short. */
export const REQUESTS_ABORTED_METRIC = 'gophermq_requests_aborted_total';
/** Counted by StalledAnswers: connections closed because their answer made no progress for broker.write-timeout. */
export const ANSWERS_CUT_METRIC = 'gophermq_answers_cut_total';
/** Counted by RequestDenials: 401, 403, 404 for another token's subscriber, and 429 of the rate limit. */
export const REQUESTS_DENIED_METRIC = 'gophermq_requests_denied_total';

/** From 100 µs, where most requests answer, to the 30 s a long-poll fetch may wait. */
export const REQUEST_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const labelNames: RequestLabel[] = ['method', 'code'];
const DURATION_COUNT = `${REQUEST_DURATION_METRIC}_count`;

export function requestMetricProviders(registry: Registry): Provider[] {
  return [
    makeHistogramProvider({
      name: REQUEST_DURATION_METRIC,
      help: 'Time to answer an API request in seconds, by method and HTTP status code.',
      labelNames,
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [registry],
    }),
    makeCounterProvider({
      name: REQUESTS_METRIC,
      help: 'API requests answered, by method and HTTP status code.',
      labelNames,
      registers: [registry],
      inject: [getToken(REQUEST_DURATION_METRIC)],
      // Every answered request is one observation of the latency histogram, so this counter is
      // the histogram's _count, copied at scrape time rather than counted again on every request.
      async collect(duration: Histogram<RequestLabel>) {
        const { values } = await duration.get();
        this.reset();
        for (const { metricName, labels, value } of values) {
          if (metricName === DURATION_COUNT) this.inc(labels, value);
        }
      },
    }),
    makeCounterProvider({
      name: REQUESTS_ABORTED_METRIC,
      help: 'Requests whose client closed the connection before sending the whole body.',
      registers: [registry],
    }),
    makeCounterProvider({
      name: ANSWERS_CUT_METRIC,
      help: 'Answers cut, and their connections closed, because none of them was taken by the network for broker.write-timeout seconds (a client that stopped reading).',
      registers: [registry],
    }),
    makeCounterProvider({
      name: REQUESTS_DENIED_METRIC,
      help: 'API requests refused by access control or the rate limit, by token name and reason.',
      labelNames: ['token', 'reason'] satisfies DenialLabel[],
      registers: [registry],
    }),
  ];
}
