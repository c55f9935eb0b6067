import { Inject, Injectable, Optional } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { Counter, Histogram } from 'prom-client';
import { REQUEST_DURATION_METRIC, REQUESTS_DENIED_METRIC, type DenialLabel, type RequestLabel } from '../metrics/request-metrics.providers.js';

const DURATION_COUNT = `${REQUEST_DURATION_METRIC}_count`;

/** This instance's API requests since it started, from the counters /metrics exports. */
export interface RequestTotals {
  requests: number;
  /** Answered 4xx (refusals, bad input, denials). */
  clientErrors: number;
  /** Answered 5xx (the store unavailable, shutting down, a bug). */
  serverErrors: number;
  /** Refused by access control or the rate limit (gophermq_requests_denied_total). */
  denied: number;
}

/**
 * Reads the request metrics rather than counting every request a second time: the latency
 * histogram's count per status code is the request counter, as at scrape time. With monitoring
 * off there are no metrics, and no totals.
 */
@Injectable()
export class RequestTotalsReader {
  constructor(
    @Optional() @Inject(getToken(REQUEST_DURATION_METRIC)) private readonly duration?: Histogram<RequestLabel>,
    @Optional() @Inject(getToken(REQUESTS_DENIED_METRIC)) private readonly denied?: Counter<DenialLabel>,
  ) {}

  async read(): Promise<RequestTotals | undefined> {
    if (!this.duration || !this.denied) return undefined;
    const totals: RequestTotals = { requests: 0, clientErrors: 0, serverErrors: 0, denied: 0 };
    for (const { metricName, labels, value } of (await this.duration.get()).values) {
      if (metricName !== DURATION_COUNT) continue;
      totals.requests += value;
      const code = String(labels.code);
      if (code.startsWith('4')) totals.clientErrors += value;
      else if (code.startsWith('5')) totals.serverErrors += value;
    }
    for (const { value } of (await this.denied.get()).values) totals.denied += value;
    return totals;
  }
}
