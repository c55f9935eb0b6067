import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { RequestLabel } from './request-series.js';

/** Names and labels kept from the original, so dashboards built on it keep working. */
export const REQUESTS_METRIC = 'gophermq_client_request_rate';
export const REQUEST_DURATION_METRIC = 'gophermq_request_duration_seconds';

/** From 100 µs, where most requests answer, to the 30 s a long-poll fetch may wait. */
export const REQUEST_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const labelNames: RequestLabel[] = ['method', 'code'];

export function requestMetricProviders(registry: Registry): Provider[] {
  return [
    makeCounterProvider({
      name: REQUESTS_METRIC,
      help: 'API requests answered, by method and HTTP status code.',
      labelNames,
      registers: [registry],
    }),
    makeHistogramProvider({
      name: REQUEST_DURATION_METRIC,
      help: 'Time to answer an API request in seconds, by method and HTTP status code.',
      labelNames,
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [registry],
    }),
  ];
}
