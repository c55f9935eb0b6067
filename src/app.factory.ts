import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController, type FastifyBaseLogger } from 'fastify';
import { pino, type Logger as Pino } from 'pino';
import { MAX_SEQS_PER_REQUEST } from './ack/settle-request.dto.js';
import { AppModule } from './app.module.js';
import { PinoNestLogger } from './common/logging/pino-nest-logger.js';
import { maxJsonValues, useCheckedJsonParser } from './common/validation/json-body.parser.js';
import type { GopherMqConfig } from './config/gophermq-config.js';

export interface CreateAppOptions {
  /** Log destination; the JSON log goes to stdout by default. */
  logger?: Pino;
}

/** Builds the whole application exactly as `gophermq broker` runs it; e2e tests call this too. */
export async function createApp(config: GopherMqConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? pino({ level: config.logger.level });
  const requestTimeoutMs = config.broker.requestTimeout * 1000;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.broker.bodyLimitBytes,
    // A log line per request would cost more than the request itself.
    logController: new LogController({ disableRequestLogging: true }),
    // Nor a child logger per request: nothing logs per request, and making one costs about 1 µs.
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
    // Fastify turns Node's request timeout off; a client that stalls while sending would then hold
    // its connection, and shutdown, forever. Node checks the timeouts every 30 s unless told otherwise.
    requestTimeout: requestTimeoutMs,
    http: { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Fastify's own JSON parser; Nest's would also accept forms. The API speaks JSON only.
    bodyParser: false,
  });
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  useCheckedJsonParser(app.getHttpAdapter().getInstance(), maxJsonValues(config.broker.maxBatchSize, MAX_SEQS_PER_REQUEST));
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** What main and the tests share after the app is created: the OpenAPI document and Swagger UI. */
export function configureApp(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GopherMQ')
      .setDescription('A message broker over plain HTTP/JSON: publish to a subject, subscribe, fetch what is pending.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
