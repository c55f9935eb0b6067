import { DynamicModule, Module } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import { Registry } from 'prom-client';
import { AsyncPublishModule } from '../async-publish/async-publish.module.js';
import { BrokerModule } from '../broker/broker.module.js';
import type { GopherMqConfig } from '../config/gophermq-config.js';
import { brokerMetricProviders } from './broker-metrics.providers.js';
import { MetricsServer } from './metrics.server.js';
import { PushModule } from '../push/push.module.js';
import { pushMetricsProvider } from './push-metrics.providers.js';
import { RequestMetricsHook } from './request-metrics.hook.js';
import { ANSWERS_CUT_METRIC, REQUEST_DURATION_METRIC, REQUESTS_ABORTED_METRIC, REQUESTS_DENIED_METRIC, requestMetricProviders } from './request-metrics.providers.js';
import { storeMetricsProvider } from './store-metrics.providers.js';
import { StoreStatsReader } from './store-stats.reader.js';

/**
 * Prometheus metrics on their own port (monitoring.port). The metrics are @willsoto/nestjs-prometheus
 * providers, but in a Registry of this app's own: PrometheusModule.register() would put them, and
 * the default process metrics, in prom-client's global registry (a second app in one process
 * throws "already registered") and would serve /metrics on the API port.
 *
 * The providers are imported from the package's `dist/metrics` entry: its main entry require()s
 * @nestjs/common, which Nest 12 ships as ESM only, and Jest cannot require() ESM on Node 20.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: GopherMqConfig): DynamicModule {
    if (!config.monitoring.enable) return { module: MetricsModule };
    const registry = new Registry();
    return {
      module: MetricsModule,
      // Global: the request counters are counted where requests are refused (filters, access control).
      global: true,
      imports: [BrokerModule, AsyncPublishModule, PushModule],
      providers: [
        { provide: Registry, useValue: registry },
        ...requestMetricProviders(registry),
        ...brokerMetricProviders(registry),
        StoreStatsReader,
        storeMetricsProvider,
        pushMetricsProvider,
        RequestMetricsHook,
        MetricsServer,
      ],
      // The aborted-requests counter is counted by the app's catch-all filter, the denied one by access
      // control, the cut answers by StalledAnswers; the management API's stats read the latency
      // histogram (requests by status code) and the denials.
      exports: [MetricsServer, Registry, getToken(REQUEST_DURATION_METRIC), getToken(REQUESTS_ABORTED_METRIC), getToken(REQUESTS_DENIED_METRIC), getToken(ANSWERS_CUT_METRIC)],
    };
  }
}
