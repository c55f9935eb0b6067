import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_MAX_ACK_PENDING } from '../broker/store/message-store.js';
import { SubjectProperty } from '../common/subject.property.js';
import type { DeliverRequest } from './deliver-policy.js';

export const MIN_ACK_WAIT_MS = 1000;
/** Twelve hours, as SQS's longest visibility timeout. */
export const MAX_ACK_WAIT_MS = 43_200_000;
export const MAX_DELIVERIES_CEILING = 1000;
/** As JetStream's MaxAckPending: enough for a large batch consumer, and a bound on what one subscriber holds in flight. */
export const MAX_ACK_PENDING_CEILING = 100_000;
/** A subscriber's durable name: letters, digits, `_` and `-`, up to 64. */
export const SUBSCRIBER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest pushUrl, as browsers and proxies commonly accept. */
export const MAX_PUSH_URL_LENGTH = 2048;
export const MAX_PUSH_CONCURRENCY = 100;
export const DEFAULT_PUSH_CONCURRENCY = 10;

export class SubscribeRequestDto {
  @SubjectProperty('orders.created', {
    description:
      'A subject, or a pattern (wildcard subscription): a token that is exactly `*` matches one token, a last token `>` one or more (`orders.*`, `orders.>`, `>`). A pattern subscriber gets what is published to every subject it matches (with `deliver`, the retained messages of those subjects first); its fetch answers carry `messages` with each message\'s `subject`. ',
  })
  subject!: string;

  @ApiPropertyOptional({
    pattern: SUBSCRIBER_NAME.source,
    minLength: 1,
    maxLength: 64,
    example: 'billing',
    description:
      'A durable name, unique on the subject: the first subscribe with it creates the subscriber, every later one (on any broker sharing the store) answers the same id and settings, and refreshes its activity. Other settings: 409. Consumers using one name share its messages. Not removed by broker.subscriber-idle-timeout; with auth on, the name belongs to the token that created it',
  })
  @IsOptional() @IsString() @Matches(SUBSCRIBER_NAME)
  name?: string;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', enum: ['new', 'all', 'last'] },
      { type: 'object', properties: { fromSeq: { type: 'integer', minimum: 1 } }, required: ['fromSeq'], additionalProperties: false },
      { type: 'object', properties: { fromTime: { type: 'string', format: 'date-time' } }, required: ['fromTime'], additionalProperties: false },
    ],
    example: 'all',
    description:
      'Where it starts: `new` (default: what is published after the subscribe), `all` (every retained message, oldest first, then new ones), `last` (the newest retained message, then new ones), `{"fromSeq": N}` (the first retained message with seq ≥ N) or `{"fromTime": "<RFC 3339 time>"}` (the first published at or after it). Anything but `new` needs a retained subject (400 `subject does not retain messages`). On a pattern: per retained subject it matches (`all`, `last`, `fromTime`; subjects without retention give new messages), each subject\'s retained messages first and in seq order; `fromSeq` is refused on a pattern (400: seqs are per subject). Part of a named subscriber\'s settings',
  })
  @IsOptional() @Allow()
  deliver?: DeliverRequest;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_ACK_WAIT_MS,
    maximum: MAX_ACK_WAIT_MS,
    example: 30000,
    description:
      'Turns on acknowledged delivery (at least once): a fetched message not acked within this many milliseconds is delivered again. Absent: at most once, as before',
  })
  @IsOptional() @IsInt() @Min(MIN_ACK_WAIT_MS) @Max(MAX_ACK_WAIT_MS)
  ackWaitMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_DELIVERIES_CEILING,
    example: 5,
    description: 'Only with ackWaitMs: after this many deliveries without an ack a message is not delivered again (dead-lettered or dropped). Absent: no limit',
  })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_DELIVERIES_CEILING)
  maxDeliveries?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_ACK_PENDING_CEILING,
    default: DEFAULT_MAX_ACK_PENDING,
    example: 100,
    description:
      'Only with ackWaitMs: most of its messages in flight (fetched, not yet acked, nacked or past their deadline) at once; a fetch takes fewer past it (`remaining` still counts them), and a waiting fetch is answered when an ack makes room. Default 1000',
  })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_ACK_PENDING_CEILING)
  maxAckPending?: number;

  @SubjectProperty('orders.created.dead', {
    required: false,
    description: 'Only with maxDeliveries, and not the subject itself: a message delivered maxDeliveries times without an ack is published here, as an ordinary message. Absent: it is dropped. ',
  })
  deadLetterSubject?: string;

  @ApiPropertyOptional({
    format: 'uri',
    maxLength: MAX_PUSH_URL_LENGTH,
    example: 'https://hooks.internal/orders',
    description:
      'Makes a push subscriber (webhook): the broker POSTs each message to this URL as JSON `{"subject","seq","data","deliveries","id"}`; a 2xx answer acks it, anything else (or a time-out, push.timeout-ms) is retried with backoff (1 s doubling to 60 s, jittered; a `Retry-After` on 429/503 is honoured) up to maxDeliveries. Always acknowledged (ackWaitMs default 30000, above push.timeout-ms). It must start with an entry of push.allowed-urls (400 `push URL not allowed`; with none, 400 `push delivery is not enabled`). Not with name or maxAckPending',
  })
  @IsOptional() @IsString() @MaxLength(MAX_PUSH_URL_LENGTH)
  pushUrl?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PUSH_CONCURRENCY,
    default: DEFAULT_PUSH_CONCURRENCY,
    example: 10,
    description: 'Only with pushUrl: most push requests in flight for this subscriber at once, over every broker sharing the store (its maxAckPending). Default 10',
  })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_PUSH_CONCURRENCY)
  pushConcurrency?: number;
}
