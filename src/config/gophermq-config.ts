import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { isValidSubjectPattern } from '../auth/subject-pattern.js';
import { allowedUrlProblem } from '../push/push-url-policy.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A secret given in the settings (auth.admin-token, monitoring.token) is at least this long. */
export const MIN_SECRET_LENGTH = 16;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export class LoggerConfig {
  /** Lowest level written to the JSON log. */
  @IsIn(LOG_LEVELS)
  level: LogLevel = 'info';

  /** `json`: one JSON object per line, for log collectors; `pretty`: readable lines, for a terminal. */
  @IsIn(LOG_FORMATS)
  format: LogFormat = 'json';
}

/**
 * A certificate and its key, in PEM files (broker.tls, monitoring.tls): both set, the server speaks
 * HTTPS; neither, plain HTTP. Read once at start; paths relative to the working directory.
 */
export class TlsConfig {
  /** The certificate, then any intermediate certificates, in PEM. */
  @IsString()
  certFile = '';

  /** The certificate's private key in PEM, not encrypted. */
  @IsString()
  keyFile = '';
}

export const STORES = ['memory', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

export class BrokerConfig {
  /** Where messages and subscribers live: this process (`memory`), or Redis, shared by every instance. */
  @IsIn(STORES)
  store: StoreKind = 'memory';

  /** TCP port of the HTTP API. */
  @IsInt() @Min(0) @Max(65535)
  port = 8082;

  /** Address the HTTP API listens on. */
  @IsString() @MinLength(1)
  host = '0.0.0.0';

  /** Serve the API over HTTPS with this certificate and key; empty: plain HTTP. */
  @ValidateNested() @Type(() => TlsConfig)
  tls = new TlsConfig();

  /** Most messages held at once; a message counts once however many subscribers still hold it. */
  @IsInt() @Min(1) @Max(1_000_000_000)
  maxPending = 100_000;

  /** Most bytes of message data (UTF-8) held at once, counted like maxPending. */
  @IsInt() @Min(1) @Max(1024 * GiB)
  maxPendingBytes = 64 * MiB;

  /** Most messages held at once for one subject, so that one backed-up subject cannot fill the broker. */
  @IsInt() @Min(1) @Max(1_000_000_000)
  maxPendingPerSubject = 10_000;

  /** Most bytes of message data held at once for one subject. */
  @IsInt() @Min(1) @Max(1024 * GiB)
  maxPendingBytesPerSubject = 8 * MiB;

  /**
   * Budget of one fetch answer, in bytes of its JSON-encoded messages: a fetch takes messages oldest
   * first until the next would pass it (always at least one). With bodyLimitBytes it bounds every
   * answer, so none can outgrow what V8 can serialize (a string of at most 512 Mi characters).
   */
  @IsInt() @Min(1024) @Max(256 * MiB)
  maxFetchBytes = 8 * MiB;

  /**
   * Most bytes (characters) of fetch answers being written at once, shared fairly between clients
   * (tokens with auth on, else connections): an answer is held in memory until its client has read
   * it. A client holding its share is refused (503); others keep being served, so answers may hold
   * up to twice this (see FetchAnswerShares).
   */
  @IsInt() @Min(1 * MiB) @Max(1024 * GiB)
  maxFetchBytesInFlight = 64 * MiB;

  /** Most subscribers at once, over all subjects; past it /api/subscribe answers 429. */
  @IsInt() @Min(1) @Max(10_000_000)
  maxSubscribers = 100_000;

  /**
   * Most messages in flight at once over all acknowledged subscribers (delivered, not yet acked,
   * nacked or past their deadline): each costs the broker some state until then (docs/benchmarks.md),
   * so this bounds it whatever the number of subscribers. A fetch takes fewer past it.
   */
  @IsInt() @Min(1) @Max(100_000_000)
  maxInFlight = 1_000_000;

  /** Largest request body accepted; larger ones get 413. A message is at most this, once encoded. */
  @IsInt() @Min(1024) @Max(256 * MiB)
  bodyLimitBytes = 1 * MiB;

  /** Accepted async publishes not yet in the broker; past it /api/publish/async answers 429. */
  @IsInt() @Min(1) @Max(10_000_000)
  asyncQueueCapacity = 10_000;

  /** Most entries in one POST /api/publish/batch. */
  @IsInt() @Min(1) @Max(100_000)
  maxBatchSize = 1000;

  /** Seconds without a fetch after which a subscriber is removed; 0 keeps subscribers forever. */
  @IsInt() @Min(0) @Max(365 * 24 * 3600)
  subscriberIdleTimeout = 3600;

  /**
   * Seconds without a fetch (or a subscribe with its name) after which a named subscriber is
   * removed; 0 (the default) keeps named subscribers until they are unsubscribed. Independent of
   * subscriberIdleTimeout, which leaves named subscribers alone.
   */
  @IsInt() @Min(0) @Max(365 * 24 * 3600)
  namedSubscriberIdleTimeout = 0;

  /**
   * Seconds a client may take to send a whole request, headers and body; a slower one gets 408 and
   * its connection is closed. Only the sending counts: a fetch waiting for messages is not cut.
   * At most an hour.
   */
  @IsInt() @Min(1) @Max(3600)
  requestTimeout = 30;

  /**
   * Seconds an answer may go without any of it being taken by the network (a client that stopped
   * reading): past it the answer is cut and its connection closed. Checked every second; a fetch
   * waiting for messages writes nothing and is not cut. At most an hour.
   */
  @IsInt() @Min(1) @Max(3600)
  writeTimeout = 30;

  /**
   * Seconds shutdown may take: past it, the connections still open are closed, answers in flight
   * are cut, and the broker exits with code 1. At most an hour: Node's timers cannot wait past
   * 2^31 − 1 ms (about 24.8 days) and would fire at once.
   */
  @IsInt() @Min(1) @Max(3600)
  shutdownTimeout = 10;

  /**
   * Seconds between the signal and the drain during which /ready already answers 503 but every
   * other request is served as before, so that a load balancer stops sending requests first (the
   * Kubernetes preStop pattern). 0: the drain begins at once. Counts in shutdownTimeout.
   */
  @IsInt() @Min(0) @Max(3600)
  drainDelay = 0;

  /**
   * Seconds a keep-alive connection with no request in progress stays open once the drain has
   * answered everything in flight: a request already on its way then gets its 503 (and the
   * connection closes after it) instead of a reset. Then such connections are closed.
   */
  @IsInt() @Min(0) @Max(60)
  drainIdleGrace = 1;

  /**
   * Seconds between keep-alives on an event stream (GET /api/stream) that has sent nothing else,
   * so that proxies keep its connection open.
   */
  @IsInt() @Min(1) @Max(300)
  streamHeartbeat = 15;

  /** Most event streams open at once on this instance; past it GET /api/stream answers 429. */
  @IsInt() @Min(1) @Max(1_000_000)
  maxStreams = 10_000;

  /** Serve the OpenAPI description at /docs (Swagger UI) and /docs-json. */
  @IsBoolean()
  serveDocs = true;

  /** Serve the web console at /console (static files; its data comes from the API, behind auth when it is on). */
  @IsBoolean()
  serveConsole = true;
  /** Serve the management API under /api/admin (with auth on, for tokens with `manage: true`); false: the routes do not exist. */
  @IsBoolean()
  serveAdmin = true;
}

export class RedisConfig {
  /** The Redis server of `broker.store: redis` (unless clusterNodes is set): redis:// or rediss://. */
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'url must be a redis:// or rediss:// URL' })
  url = 'redis://127.0.0.1:6379';

  /** Put before every key the broker writes, so several brokers (or other programs) can share one Redis. */
  @Matches(/^[^{}\s]{0,64}$/, { message: 'keyPrefix must be at most 64 characters, without braces or spaces' })
  keyPrefix = 'gophermq:';

  /** Comma-separated host:port seeds of a Redis Cluster; when set, the broker uses the cluster, not url. */
  @Matches(/^$|^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, { message: 'clusterNodes must be host:port[,host:port…]' })
  clusterNodes = '';

  /**
   * Milliseconds a call to Redis may take, connecting included, before the request answers 503
   * `store unavailable`: no request hangs on a Redis that is down or unreachable.
   */
  @IsInt() @Min(10) @Max(60_000)
  commandTimeoutMs = 2000;
}

export class MonitoringConfig {
  /** Serve Prometheus metrics on their own port. */
  @IsBoolean()
  enable = true;

  /** TCP port of /metrics; `9001` and `:9001` are both accepted. */
  @IsInt() @Min(0) @Max(65535)
  port = 9001;

  /** Address /metrics listens on (loopback or an internal interface); empty: the API's, broker.host. */
  @IsString()
  host = '';

  /** Serve /metrics over HTTPS with this certificate and key (the API's, or others); empty: plain HTTP. */
  @ValidateNested() @Type(() => TlsConfig)
  tls = new TlsConfig();

  /**
   * Milliseconds for which the store-wide figures (held messages, subscribers, …) read for a scrape
   * serve every other scrape too: on the Redis store each read is a call to Redis, so scrapers
   * that ask often cost it one call per interval. 0 reads them for every scrape.
   */
  @IsInt() @Min(0) @Max(60_000)
  storeStatsIntervalMs = 1000;

  /**
   * The secret a scraper sends as `Authorization: Bearer <token>`; without it /metrics answers 401.
   * Empty: no token needed. The secret itself, like auth.admin-token: for containers, which get
   * secrets through the environment.
   */
  @Matches(new RegExp(`^$|^\\S{${MIN_SECRET_LENGTH},}$`), { message: `token must be empty or at least ${MIN_SECRET_LENGTH} characters without spaces` })
  token = '';
}

/** Each entry a NATS subject pattern (`orders.*`, `orders.>`, `>`). */
function IsSubjectPatternList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSubjectPatternList',
      validator: {
        validate: (value) => Array.isArray(value) && value.every(isValidSubjectPattern),
        defaultMessage: () => '$property must be a list of subject patterns (tokens, `*` for one token, `>` last for the rest)',
      },
    },
    options,
  );
}

/** One client's token (an entry of auth.tokens in config.yaml). */
export class TokenConfig {
  /** Who holds it: shown in metrics and logs, never the secret. Unique. */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'name must be 1 to 64 letters, digits, `_`, `.` or `-`' })
  name = '';

  /** Hex SHA-256 of the secret the client sends as `Authorization: Bearer <secret>`. */
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex digits, the SHA-256 of the secret' })
  sha256 = '';

  /** Subjects it may publish to. */
  @IsSubjectPatternList()
  publish: string[] = [];

  /** Subjects it may subscribe to, and fetch, ack, nack, extend and unsubscribe on. */
  @IsSubjectPatternList()
  subscribe: string[] = [];

  /** Requests per rate-limit.window-ms for this token instead of rate-limit.max; 0 = no limit. */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  rateLimitMax: number | undefined = undefined;

  /** May use the management API (/api/admin): see and purge every subject, remove any subscriber. */
  @IsBoolean()
  manage = false;
}

export class AuthConfig {
  /** Require `Authorization: Bearer <token>` on /api and check each token's subject permissions. */
  @IsBoolean()
  enable = false;

  /** The tokens, from config.yaml only (a list). */
  @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => TokenConfig)
  tokens: TokenConfig[] = [];

  /**
   * The secret itself of a token named `admin`, which may publish and subscribe everywhere: for
   * containers, which get secrets through the environment. Empty: no such token.
   */
  @Matches(new RegExp(`^$|^\\S{${MIN_SECRET_LENGTH},}$`), { message: `adminToken must be empty or at least ${MIN_SECRET_LENGTH} characters without spaces` })
  adminToken = '';

  /**
   * Key that binds a subscriber id to the token that created it. Empty: a random key per process,
   * so ids do not survive a restart; brokers sharing a Redis store need the same one (required there).
   */
  @Matches(/^$|^\S{32,}$/, { message: 'subscriberIdSecret must be empty or at least 32 characters without spaces' })
  subscriberIdSecret = '';
}

/** `discard` of a retention rule: what a full retained subject does with a new message. */
export const DISCARD_POLICIES = ['old', 'new'] as const;
export type DiscardPolicy = (typeof DISCARD_POLICIES)[number];

/**
 * One entry of `retention` in config.yaml: the subjects it matches keep their messages until it
 * drops them, whoever has read them. The first rule that matches a subject is its rule.
 */
export class RetentionRuleConfig {
  /** A NATS subject pattern (`orders.>`, `orders.*`, `orders.created`). */
  @ValidateBy({
    name: 'isSubjectPattern',
    validator: {
      validate: (value) => isValidSubjectPattern(value),
      defaultMessage: () => '$property must be a subject pattern (tokens, `*` for one token, `>` last for the rest)',
    },
  })
  subjects = '';

  /** Seconds a message is kept after its publish; 0 = no age limit. */
  @IsInt() @Min(0) @Max(10 * 365 * 24 * 3600)
  maxAge = 0;

  /** Most messages kept for one subject; 0 = no count limit. */
  @IsInt() @Min(0) @Max(1_000_000_000)
  maxMessages = 0;

  /** Most bytes of message data (UTF-8) kept for one subject; 0 = no byte limit. */
  @IsInt() @Min(0) @Max(1024 * GiB)
  maxBytes = 0;

  /** When full: `old` drops the oldest to make room; `new` refuses the publish (429 broker overflow). */
  @IsIn(DISCARD_POLICIES)
  discard: DiscardPolicy = 'old';
}

export class RateLimitConfig {
  /** Requests per windowMs, per token (auth on) or per client address; 0 = no limit. */
  @IsInt() @Min(0) @Max(1_000_000_000)
  max = 0;

  /** Length of a rate-limit window, in milliseconds. */
  @IsInt() @Min(1) @Max(24 * 3600 * 1000)
  windowMs = 1000;
}

/** Webhook subscriptions (subscribe with `pushUrl`): the broker POSTs each message to a URL. */
export class PushConfig {
  /**
   * URL prefixes a pushUrl must start with (after the URL parser's normalisation), each an http(s)
   * URL ending in `/`; empty (the default): push delivery is off. In config.yaml a list; in
   * GOPHERMQ_PUSH_ALLOWED__URLS, comma-separated.
   */
  @ValidateBy({
    name: 'isAllowedUrlList',
    validator: {
      validate: (value) => Array.isArray(value) && value.length <= 1000 && value.every((entry) => allowedUrlProblem(entry) === undefined),
      defaultMessage: (args) => {
        const list = Array.isArray(args?.value) ? (args.value as unknown[]) : [];
        const bad = list.findIndex((entry) => allowedUrlProblem(entry) !== undefined);
        return bad < 0 ? '$property must be a list of at most 1000 URL prefixes' : `$property [${bad}] ${allowedUrlProblem(list[bad])}`;
      },
    },
  })
  allowedUrls: string[] = [];

  /**
   * Key of the `x-gophermq-signature: sha256=<hex HMAC-SHA256 of the body>` header on every push;
   * empty: no signature. The secret itself (from the environment, for containers).
   */
  @Matches(new RegExp(`^$|^\\S{${MIN_SECRET_LENGTH},}$`), { message: `signingSecret must be empty or at least ${MIN_SECRET_LENGTH} characters without spaces` })
  signingSecret = '';

  /**
   * Milliseconds a push may take to connect, and again to get the answer's headers (and its body):
   * past either it is a failed delivery (`timeout`), retried with backoff.
   */
  @IsInt() @Min(100) @Max(120_000)
  timeoutMs = 10_000;
}

/** The whole configuration: defaults, then config.yaml, then GOPHERMQ_ environment variables. */
export class GopherMqConfig {
  @ValidateNested() @Type(() => LoggerConfig)
  logger = new LoggerConfig();

  @ValidateNested() @Type(() => BrokerConfig)
  broker = new BrokerConfig();

  @ValidateNested() @Type(() => MonitoringConfig)
  monitoring = new MonitoringConfig();

  @ValidateNested() @Type(() => RedisConfig)
  redis = new RedisConfig();

  @ValidateNested() @Type(() => AuthConfig)
  auth = new AuthConfig();

  @ValidateNested() @Type(() => RateLimitConfig)
  rateLimit = new RateLimitConfig();

  @ValidateNested() @Type(() => PushConfig)
  push = new PushConfig();

  /** Retained subjects, from config.yaml only (a list; the first rule matching a subject is its rule). */
  @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => RetentionRuleConfig)
  retention: RetentionRuleConfig[] = [];
}
