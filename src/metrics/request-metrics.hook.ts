import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { REQUEST_DURATION_METRIC, REQUESTS_METRIC } from './request-metrics.providers.js';
import { RequestSeries, type RequestLabel } from './request-series.js';

const API_PREFIX = '/api/';
const FETCH_ROUTE = '/api/fetch';

/** The series of one route; a fetch that asked to wait is kept apart so long-polls do not skew fetch latency. */
interface RouteSeries {
  answered: RequestSeries;
  waited?: RequestSeries;
}

/**
 * Counts and times every API request in one Fastify `onResponse` hook, which also sees the answers
 * Fastify gives before Nest is reached (bad JSON, 413, 415, 404). Routes outside /api are not counted.
 */
@Injectable()
export class RequestMetricsHook implements OnModuleInit {
  /** By route pattern (not raw URL, so the map stays small); null for routes not counted. */
  private readonly byRoute = new Map<string, RouteSeries | null>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(getToken(REQUESTS_METRIC)) private readonly requests: Counter<RequestLabel>,
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
    return new RequestSeries(method, this.requests, this.duration);
  }
}

function asksToWait(body: unknown): boolean {
  const waitMs = (body as { waitMs?: unknown } | null | undefined)?.waitMs;
  return typeof waitMs === 'number' && waitMs > 0;
}
