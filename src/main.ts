import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger } from 'fastify';
import { createApp } from './app.factory.js';
import { boundUrl } from './common/http/bound-url.js';
import { BrokerService } from './broker/broker.service.js';
import { loadConfig, type ConfigSources } from './config/config.loader.js';
import { GopherMqConfig } from './config/gophermq-config.js';
import { InFlightRequests } from './common/http/in-flight-requests.js';

/**
 * Starts the broker and stops it cleanly on SIGTERM/SIGINT: after broker.drain-delay (not ready,
 * still serving), exit 0 once the answers in flight are delivered and accepted work is in the
 * broker; exit 1 if it all takes longer than broker.shutdown-timeout.
 */
export async function runBroker(sources: ConfigSources = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(sources);
  const app = await createApp(config);
  // Fastify logs a line per address the API can be reached on (each interface's for 0.0.0.0);
  // worded so, since only the line below names what is bound.
  await app.listen({ port: config.broker.port, host: config.broker.host, listenTextResolver: (address) => `API reachable at ${address}` });
  const logger = app.getHttpAdapter().getInstance().log;
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const url = boundUrl(app.getHttpServer());

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down: finishing answers in flight, draining accepted messages');
      setTimeout(() => void cutShort(app, logger), config.broker.shutdownTimeout * 1000);
      try {
        if (config.broker.drainDelay > 0) {
          // /ready answers 503 now; a load balancer that checks it stops sending requests before the drain.
          app.get(InFlightRequests).leave();
          logger.info({ drainDelay: config.broker.drainDelay }, 'not ready any more: serving on until broker.drain-delay has passed');
          await sleep(config.broker.drainDelay * 1000);
        }
        await app.close();
        await logDiscarded(app, logger);
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  // `on`, not `once`: under `npm start` one Ctrl-C arrives twice (from the terminal and from npm),
  // and a second signal must not kill the broker mid-drain. The shutdown timeout bounds the wait.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Only now: a supervisor that signals as soon as it reads this line must find the handlers in
  // place (before them, a SIGTERM ended the process at once, with no drain, whenever the line was
  // written synchronously, as logger.format: pretty writes it).
  logger.info({ address, port, url }, `GopherMQ broker listening on ${url}`);
  config.retention.forEach(({ subjects, maxAge, maxMessages, maxBytes, discard }, i) => {
    const limits = [maxAge > 0 && `max-age ${maxAge} s`, maxMessages > 0 && `max-messages ${maxMessages}`, maxBytes > 0 && `max-bytes ${maxBytes}`].filter(Boolean);
    logger.info({ rule: i, subjects, maxAge, maxMessages, maxBytes, discard }, `retention[${i}]: "${subjects}" keeps messages (${limits.join(', ')}, discard ${discard})`);
  });
  return app;
}

/** The shutdown timeout has passed: close every connection left, say what was cut, exit 1. */
async function cutShort(app: NestFastifyApplication, logger: FastifyBaseLogger): Promise<void> {
  const server = app.getHttpServer() as Server;
  const connections = await new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
  const requests = app.get(InFlightRequests).size;
  server.closeAllConnections();
  logger.warn(
    { connections, requests },
    `shutdown timeout reached: closed ${connections} connection(s), ${requests} request(s) not answered in full`,
  );
  await logDiscarded(app, logger);
  process.exit(1);
}

/** The store is in memory: what it holds at exit is lost, and the operator should know how much. (Redis keeps it.) */
async function logDiscarded(app: NestFastifyApplication, logger: FastifyBaseLogger): Promise<void> {
  if (app.get(GopherMqConfig).broker.store !== 'memory') return;
  const { messagesHeld, bytesHeld } = await app.get(BrokerService).store.stats();
  const line = `${messagesHeld} held message(s), ${bytesHeld} bytes, discarded at exit`;
  if (messagesHeld > 0) logger.warn({ messagesHeld, bytesHeld }, line);
  else logger.info({ messagesHeld, bytesHeld }, line);
}
