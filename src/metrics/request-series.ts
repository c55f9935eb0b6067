import type { Counter, Histogram } from 'prom-client';

export type RequestLabel = 'method' | 'code';

interface CodeSeries {
  requests: { inc(): void };
  duration: { observe(seconds: number): void };
}

/** The request counter and latency histogram of one `method` label, each status code's children resolved once. */
export class RequestSeries {
  private readonly byCode = new Map<number, CodeSeries>();

  constructor(
    private readonly method: string,
    private readonly requests: Counter<RequestLabel>,
    private readonly duration: Histogram<RequestLabel>,
  ) {}

  record(statusCode: number, seconds: number): void {
    let series = this.byCode.get(statusCode);
    if (series === undefined) {
      const code = String(statusCode);
      series = { requests: this.requests.labels(this.method, code), duration: this.duration.labels(this.method, code) };
      this.byCode.set(statusCode, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }
}
