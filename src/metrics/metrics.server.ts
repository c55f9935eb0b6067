import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { bearerSecret } from '../auth/access-tokens.js';
import { boundUrl } from '../common/http/bound-url.js';
import { readTlsFiles } from '../common/tls/tls-files.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { processMetricsRegistry } from './process-metrics.js';

export const METRICS_PATH = '/metrics';

/**
 * Serves the Prometheus text format at /metrics on its own port (monitoring.port), apart from the
 * API so that scrapes never queue behind API traffic and the port can stay internal. It answers
 * nothing else, and with monitoring.token set, nothing at all (401) to a request without it: the
 * metrics name tokens, subjects' load and limits. Started and stopped with the application.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server | HttpsServer;
  private registry?: Registry;
  /** SHA-256 of monitoring.token; undefined when no token is needed. */
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly config: GopherMqConfig,
    private readonly appRegistry: Registry,
  ) {
    if (config.monitoring.token !== '') this.tokenDigest = hash('sha256', config.monitoring.token, 'buffer');
  }

  /** The bound port: monitoring.port, or the one the system chose for port 0. */
  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the metrics server is not listening');
    return (address as AddressInfo).port;
  }

  /** Where to scrape this broker from this machine (loopback for a server on every address). */
  get url(): string {
    const host = this.host;
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const scheme = this.config.monitoring.tls.certFile !== '' ? 'https' : 'http';
    return `${scheme}://${reachable}:${this.port}${METRICS_PATH}`;
  }

  /** monitoring.host, or the API's address when it is empty. */
  private get host(): string {
    return this.config.monitoring.host || this.config.broker.host;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every metric provider exists by now; the merge only references them.
    this.registry = Registry.merge([this.appRegistry, processMetricsRegistry()]);
    const tls = readTlsFiles(this.config.monitoring.tls, 'monitoring.tls');
    const handler = (request: IncomingMessage, response: ServerResponse) => void this.answer(request, response);
    const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.monitoring.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    // The address bound (0.0.0.0 for every interface), not `url`'s loopback stand-in for it.
    this.logger.log(`metrics on ${boundUrl(server)}${METRICS_PATH}`);
  }

  /** Runs after the API stopped, so the drain of accepted work can still be watched. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // a scraper's keep-alive connection must not hold shutdown
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.authorized(request)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    const path = request.url?.split('?', 1)[0];
    if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    try {
      const body = await this.registry!.metrics();
      response.writeHead(200, { 'content-type': this.registry!.contentType }).end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error(`metrics collection failed: ${(error as Error).message}`);
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
    }
  }

  /**
   * Whether the request carries monitoring.token (always, without one). Digests of equal length are
   * compared, in constant time: the time taken says nothing of how much of the token a guess got right.
   */
  private authorized(request: IncomingMessage): boolean {
    if (this.tokenDigest === undefined) return true;
    const secret = bearerSecret(request.headers.authorization);
    return secret !== undefined && timingSafeEqual(hash('sha256', secret, 'buffer'), this.tokenDigest);
  }
}
