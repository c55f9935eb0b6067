import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * A message fetched by an acknowledged subscriber (in flight until acked, nacked or its deadline
 * passes), or by any subscriber of a retained subject.
 */
export class DeliveredMessageDto {
  @ApiPropertyOptional({ example: 'orders.eu', description: 'Only for a subscriber of a wildcard subject (a pattern): the subject the message was published to' })
  subject?: string;

  @ApiProperty({ type: 'integer', example: 17, description: 'Positive, increasing per subject in publish order, the same for every subscriber; pass it to ack, nack or extend' })
  seq!: number;

  @ApiProperty({ example: '{"orderId":42}' })
  data!: string;

  @ApiPropertyOptional({ example: '2026-12-03T14:29:07.123Z', description: 'Only on a retained subject: when it was published, RFC 3339 with milliseconds (UTC)' })
  time?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1, description: 'Only for an acknowledged subscriber: 1 on the first delivery to this subscriber, 2 on the first redelivery, …' })
  deliveries?: number;
}
