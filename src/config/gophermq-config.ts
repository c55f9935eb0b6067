import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MiB = 1024 * 1024;

export class LoggerConfig {
  /** Lowest level written to the JSON log. */
  @IsIn(LOG_LEVELS)
  level: LogLevel = 'info';
}

export class BrokerConfig {
  /** TCP port of the HTTP API. */
  @IsInt() @Min(0) @Max(65535)
  port = 8082;

  /** Address the HTTP API listens on. */
  @IsString() @MinLength(1)
  host = '0.0.0.0';

  /** Most messages held at once; a message counts once however many subscribers still hold it. */
  @IsInt() @Min(1)
  maxPending = 100_000;

  /** Most bytes of message data (UTF-8) held at once, counted like maxPending. */
  @IsInt() @Min(1)
  maxPendingBytes = 64 * MiB;

  /** Most subscribers at once, over all subjects; past it /api/subscribe answers 429. */
  @IsInt() @Min(1)
  maxSubscribers = 100_000;

  /** Largest request body accepted; larger ones get 413. */
  @IsInt() @Min(1024)
  bodyLimitBytes = 1 * MiB;

  /** Accepted async publishes not yet in the broker; past it /api/publish/async answers 429. */
  @IsInt() @Min(1)
  asyncQueueCapacity = 10_000;

  /** Most entries in one POST /api/publish/batch. */
  @IsInt() @Min(1) @Max(100_000)
  maxBatchSize = 1000;

  /** Seconds without a fetch after which a subscriber is removed; 0 keeps subscribers forever. */
  @IsInt() @Min(0)
  subscriberIdleTimeout = 3600;

  /**
   * Seconds a client may take to send a whole request, headers and body; a slower one gets 408 and
   * its connection is closed. Only the sending counts: a fetch waiting for messages is not cut.
   */
  @IsInt() @Min(1)
  requestTimeout = 30;

  /**
   * Seconds shutdown may take: past it, the connections still open are closed, answers in flight
   * are cut, and the broker exits with code 1.
   */
  @IsInt() @Min(1)
  shutdownTimeout = 10;
}

export class MonitoringConfig {
  /** Serve Prometheus metrics on their own port. */
  @IsBoolean()
  enable = true;

  /** TCP port of /metrics; `9001` and `:9001` are both accepted. */
  @IsInt() @Min(0) @Max(65535)
  port = 9001;
}

/** The whole configuration: defaults, then config.yaml, then GOPHERMQ_ environment variables. */
export class GopherMqConfig {
  @ValidateNested() @Type(() => LoggerConfig)
  logger = new LoggerConfig();

  @ValidateNested() @Type(() => BrokerConfig)
  broker = new BrokerConfig();

  @ValidateNested() @Type(() => MonitoringConfig)
  monitoring = new MonitoringConfig();
}
