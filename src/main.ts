import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { loadConfig, type ConfigSources } from './config/config.loader.js';

/** Starts the broker and stops it cleanly on SIGTERM/SIGINT: exit 0 once accepted work is in the broker. */
export async function runBroker(sources: ConfigSources = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(sources);
  const app = await createApp(config);
  await app.listen({ port: config.broker.port, host: config.broker.host });
  const logger = app.getHttpAdapter().getInstance().log;
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.info({ port, host: config.broker.host }, 'GopherMQ broker listening');

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down: draining accepted messages');
      try {
        await app.close();
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return app;
}
