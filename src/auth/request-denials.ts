import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { Counter } from 'prom-client';
import { REQUESTS_DENIED_METRIC, type DenialLabel } from '../metrics/request-metrics.providers.js';

export type DenialReason = 'unauthorized' | 'forbidden' | 'foreign_id' | 'rate_limited';

/** The `token` label of a request that carries no known token. */
export const NO_TOKEN = '(none)';

const REPORT_INTERVAL_MS = 10_000;

/**
 * Counts refused requests by token name and reason, and logs them at most once per interval: a
 * client hammering with a bad token or past its limit must not flood the log.
 */
@Injectable()
export class RequestDenials {
  private readonly logger = new Logger('Access');
  private readonly byLabels = new Map<string, { inc(): void }>();
  private lastReportMs = 0;
  private unreported = 0;

  constructor(
    /** Absent when monitoring is off. */
    @Optional() @Inject(getToken(REQUESTS_DENIED_METRIC)) private readonly denied?: Counter<DenialLabel>,
  ) {}

  record(token: string, reason: DenialReason, what: string): void {
    this.counter(token, reason)?.inc();
    this.unreported += 1;
    const now = Date.now();
    if (now - this.lastReportMs < REPORT_INTERVAL_MS) return;
    this.logger.warn(`denied ${this.unreported} request(s) since the last report; latest: ${reason} for token "${token}": ${what}`);
    this.lastReportMs = now;
    this.unreported = 0;
  }

  private counter(token: string, reason: DenialReason): { inc(): void } | undefined {
    if (!this.denied) return undefined;
    const labels = `${reason} ${token}`;
    let child = this.byLabels.get(labels);
    if (child === undefined) this.byLabels.set(labels, (child = this.denied.labels(token, reason)));
    return child;
  }
}
