import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SubjectFiguresDto {
  @ApiProperty({ example: 'orders.created' })
  subject!: string;

  @ApiProperty({ description: 'Its subscribers, named or not', example: 2 })
  subscribers!: number;

  @ApiProperty({ description: "Messages its log holds (once however many subscribers hold them): what its limits count", example: 3 })
  pending!: number;

  @ApiProperty({ description: 'Bytes (UTF-8) of those messages', example: 42 })
  pendingBytes!: number;

  @ApiProperty({ description: 'Messages delivered to its acknowledged subscribers and not yet settled', example: 0 })
  inFlight!: number;

  @ApiProperty({ description: 'On a retained subject, the messages its rule holds (its whole log); 0 otherwise', example: 0 })
  retained!: number;
}

export class SubjectPageDto {
  @ApiProperty({ type: [SubjectFiguresDto] })
  subjects!: SubjectFiguresDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null at the end', example: null })
  next!: string | null;
}

export class SubscriberFiguresDto {
  @ApiProperty({ description: 'The store id', example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  id!: string;

  @ApiPropertyOptional({ example: 'billing' })
  name?: string;

  @ApiPropertyOptional({ example: 30000 })
  ackWaitMs?: number;

  @ApiPropertyOptional({ example: 5 })
  maxDeliveries?: number;

  @ApiPropertyOptional({ example: 'orders.dead' })
  deadLetterSubject?: string;

  @ApiPropertyOptional({ example: 1000 })
  maxAckPending?: number;

  @ApiProperty({ description: 'Messages it can fetch now (new ones, and those due again)', example: 3 })
  pending!: number;

  @ApiProperty({ description: 'Its messages in flight', example: 0 })
  inFlight!: number;

  @ApiProperty({ description: 'Its last subscribe, fetch, ack, nack or extend (RFC 3339, UTC)', example: '2026-05-04T10:11:12.345Z' })
  lastActiveAt!: string;

  @ApiProperty({ description: 'Event streams (GET /api/stream) open on this instance that read it; on Redis, other instances count their own', example: 0 })
  streams!: number;
}

export class SubjectDetailDto {
  @ApiProperty({ example: 'orders.created' })
  subject!: string;

  @ApiProperty({ description: 'Its subscribers, named or not (all of them; `subscribers` is one page)', example: 2 })
  subscriberCount!: number;

  @ApiProperty({ example: 3 })
  pending!: number;

  @ApiProperty({ example: 42 })
  pendingBytes!: number;

  @ApiProperty({ example: 0 })
  inFlight!: number;

  @ApiProperty({ example: 0 })
  retained!: number;

  @ApiProperty({ type: [SubscriberFiguresDto], description: 'Ordered by id, `limit` at most' })
  subscribers!: SubscriberFiguresDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page of subscribers; null at the end', example: null })
  next!: string | null;
}

export class PeekedMessageDto {
  @ApiProperty({ example: 3 })
  seq!: number;

  @ApiProperty({ example: '{"orderId":42}' })
  data!: string;

  @ApiPropertyOptional({ description: 'Publish time, on a retained subject', example: '2026-05-04T10:11:12.345Z' })
  time?: string;
}

export class PeekAnswerDto {
  @ApiProperty({ type: [PeekedMessageDto] })
  messages!: PeekedMessageDto[];
}

export class PurgeAnswerDto {
  @ApiProperty({ description: 'Messages dropped', example: 3 })
  purged!: number;
}

export class BrokerStatsDto {
  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({ enum: ['memory', 'redis'], example: 'memory' })
  store!: string;

  @ApiProperty({ description: 'Seconds since this instance started', example: 3600 })
  uptimeSeconds!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Brokers sharing the store (Redis: those listening on its wake channel; a Cluster: null, not known); 1 on memory', example: 1 })
  instances!: number | null;

  @ApiProperty({ description: 'Over all subjects: messagesHeld, bytesHeld, subscribers, subjects, inFlight, retained, retainedBytes', example: { messagesHeld: 3, bytesHeld: 42, subscribers: 2, subjects: 1, inFlight: 0, retained: 0, retainedBytes: 0 } })
  counts!: Record<string, number>;

  @ApiProperty({ description: 'The broker-wide limits (broker.*)', example: { maxPending: 1000000 } })
  limits!: Record<string, number>;

  @ApiProperty({
    description:
      "This instance's totals since it started: published, delivered, expiredSubscribers, purged, refusedNoSubscriber, refusedOverflow; with monitoring on also requests (API requests answered), clientErrors (4xx), serverErrors (5xx) and denied (by access control or the rate limit)",
    example: { published: 10, delivered: 7, purged: 0, requests: 40, clientErrors: 2, serverErrors: 0, denied: 0 },
  })
  totals!: Record<string, number>;
}
