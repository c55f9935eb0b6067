import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Histogram } from 'prom-client';
import { REQUEST_DURATION_METRIC, type RequestLabel } from './request-metrics.providers.js';

const API_PREFIX = '/api/';
const FETCH_ROUTE = '/api/fetch';

/** The latency histogram of one `method` label, each status code's child resolved once. */
class RequestSeries {
  private readonly byCode = new Map<number, { observe(seconds: number): void }>();

  constructor(
    private readonly method: string,
    private readonly duration: Histogram<RequestLabel>,
  ) {}

  record(statusCode: number, seconds: number): void {
    let child = this.byCode.get(statusCode);
    if (child === undefined) this.byCode.set(statusCode, (child = this.duration.labels(this.method, String(statusCode))));
    child.observe(seconds);
  }
}

/** The series of one route; a fetch that asked to wait is kept apart so long-polls do not skew fetch latency. */
interface RouteSeries {
  answered: RequestSeries;
  waited?: RequestSeries;
}

/**
 * Times every API request in one Fastify `onResponse` hook, which also sees the answers Fastify
 * gives before Nest is reached (bad JSON, 413, 415, 404); the request counter is derived from it at
 * scrape time. Routes outside /api are not counted.
 */
@Injectable()
export class RequestMetricsHook implements OnModuleInit {
  /** By route pattern (not raw URL, so the map stays small); null for routes not counted. */
  private readonly byRoute = new Map<string, RouteSeries | null>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(getToken(REQUEST_DURATION_METRIC)) private readonly duration: Histogram<RequestLabel>,
  ) {}

  /** Before Fastify is ready, so the hook applies to every route. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onResponse', this.onResponse);
  }

  private readonly onResponse = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const series = this.seriesOf(request.routeOptions.url);
    if (series !== null) {
      const target = series.waited !== undefined && asksToWait(request.body) ? series.waited : series.answered;
      target.record(reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  };

  private seriesOf(route: string | undefined): RouteSeries | null {
    if (route === undefined) return null; // no route matched: an unknown URL
    let series = this.byRoute.get(route);
    if (series === undefined) this.byRoute.set(route, (series = this.resolve(route)));
    return series;
  }

  /** /api/publish/async -> publish_async; null for routes outside /api. */
  private resolve(route: string): RouteSeries | null {
    if (!route.startsWith(API_PREFIX)) return null;
    const method = route.slice(API_PREFIX.length).replaceAll('/', '_');
    const answered = this.series(method);
    return route === FETCH_ROUTE ? { answered, waited: this.series('fetch_wait') } : { answered };
  }

  private series(method: string): RequestSeries {
    return new RequestSeries(method, this.duration);
  }
}

function asksToWait(body: unknown): boolean {
  const waitMs = (body as { waitMs?: unknown } | null | undefined)?.waitMs;
  return typeof waitMs === 'number' && waitMs > 0;
}
