import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { LogController, type FastifyBaseLogger } from 'fastify';
import { pino, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import { MAX_SEQS_PER_REQUEST } from './ack/settle-request.dto.js';
import { AppModule } from './app.module.js';
import { PinoNestLogger } from './common/logging/pino-nest-logger.js';
import { readTlsFiles } from './common/tls/tls-files.js';
import { maxJsonValues, useCheckedJsonParser } from './common/validation/json-body.parser.js';
import type { GopherMqConfig } from './config/gophermq-config.js';
import { AccessControl } from './auth/access-control.js';
import { rateLimitIsOn, useRateLimit } from './auth/rate-limit.js';
import type { Cluster, Redis } from 'ioredis';
import { MESSAGE_STORE } from './broker/store/message-store.js';
import { RedisMessageStore } from './broker/store/redis/redis-message-store.js';
import { compileBodyValidators } from './common/validation/valid-body.decorator.js';
import { serveConsole } from './console/serve-console.js';

export interface CreateAppOptions {
  /** Log destination; the JSON log goes to stdout by default. */
  logger?: Pino;
  /**
   * Where the rate limits (rate-limit.*) are counted: absent, in this process; an ioredis client,
   * in that Redis, shared by every broker using it (pass the Redis store's client with broker.store: redis).
   */
  rateLimitRedis?: Redis | Cluster;
}

/** Builds the whole application exactly as `gophermq broker` runs it; e2e tests call this too. */
export async function createApp(config: GopherMqConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config);
  const requestTimeoutMs = config.broker.requestTimeout * 1000;
  // Fastify's request timeout is off unless set; Node checks the timeouts every 30 s unless told otherwise.
  const serverOptions = { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: 1000 };
  const tls = readTlsFiles(config.broker.tls, 'broker.tls');
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.broker.bodyLimitBytes,
    // A log line per request would cost more than the request itself.
    logController: new LogController({ disableRequestLogging: true }),
    // Nor a child logger per request: nothing logs per request, and making one costs about 1 µs.
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
    // Fastify turns Node's request timeout off; a client that stalls while sending would then hold
    // its connection, and shutdown, forever.
    requestTimeout: requestTimeoutMs,
    // With `https` Fastify ignores `http`: node:https takes the server's options with the certificate.
    ...(tls ? { https: { ...serverOptions, ...tls } } : { http: serverOptions }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Fastify's own JSON parser; Nest's would also accept forms. The API speaks JSON only.
    bodyParser: false,
  });
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  useCheckedJsonParser(app.getHttpAdapter().getInstance(), maxJsonValues(config.broker.maxBatchSize, MAX_SEQS_PER_REQUEST));
  app.get(AccessControl).useOn(app.getHttpAdapter().getInstance());
  await useRateLimit(app, config, options.rateLimitRedis ?? sharedRedis(app));
  configureApp(app, config);
  if (config.broker.serveConsole) await serveConsole(app);
  await app.init();
  compileBodyValidators(); // not at each route's first request, in the middle of serving
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** On the Redis store, the rate limits are counted in its Redis, so every instance shares them. */
function sharedRedis(app: NestFastifyApplication): Redis | Cluster | undefined {
  const store = app.get(MESSAGE_STORE);
  return store instanceof RedisMessageStore ? store.redis : undefined;
}

/** What main and the tests share after the app is created: the OpenAPI document and Swagger UI (unless broker.serve-docs is off). */
export function configureApp(app: NestFastifyApplication, config: GopherMqConfig): void {
  if (!config.broker.serveDocs) return;
  let builder = new DocumentBuilder()
    .setTitle('GopherMQ')
    .setDescription('A message broker over plain HTTP/JSON: publish to a subject, subscribe, fetch what is pending.')
    .setVersion('1');
  if (config.auth.enable) builder = builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token of auth.tokens (its secret), or the admin token' }, BEARER_SCHEME);
  const document = withAccessAnswers(SwaggerModule.createDocument(app, builder.build()), config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

const BEARER_SCHEME = 'bearer';
type ResponseObject = Extract<OpenAPIObject['paths'][string]['post'], object>['responses'][string] & { description: string };

/** With auth or rate limits on, every API operation may answer 401 and 403, or 429 `rate limit exceeded`, and needs the token. */
function withAccessAnswers(document: OpenAPIObject, config: GopherMqConfig): OpenAPIObject {
  const error = (message: string) => ({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' }, example: { message } } });
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const operation of [item.get, item.post, item.put, item.delete, item.patch]) {
      if (!operation) continue;
      if (config.auth.enable) {
        operation.security = [{ [BEARER_SCHEME]: [] }];
        operation.responses['401'] = { description: 'No token, or an unknown one (with `WWW-Authenticate: Bearer`)', content: error('unauthorized') };
        operation.responses['403'] = { description: "The token may not publish (or subscribe) to this subject", content: error('forbidden') };
      }
      if (rateLimitIsOn(config)) {
        const own = operation.responses['429'] as ResponseObject | undefined;
        const limit = 'Past rate-limit.max requests per rate-limit.window-ms for this token (or client address): `rate limit exceeded`, with `Retry-After` in seconds';
        operation.responses['429'] = own ? { ...own, description: `${own.description}; or: ${limit}` } : { description: limit, content: error('rate limit exceeded') };
      }
    }
  }
  return document;
}

/**
 * pino, writing JSON lines to stdout, or with logger.format: pretty readable lines through
 * pino-pretty, in this thread and synchronously (a worker-thread transport would lose the last
 * lines of a crash, and costs a thread for a terminal's output).
 */
function createLogger(config: GopherMqConfig): Pino {
  const options = { level: config.logger.level };
  if (config.logger.format === 'json') return pino(options);
  return pino(options, pretty({ sync: true, colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:standard', ignore: 'pid,hostname,context', messageFormat: '{if context}{context}: {end}{msg}' }));
}
