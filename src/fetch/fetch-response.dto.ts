import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DeliveredMessageDto } from './delivered-message.dto.js';

export class FetchResponseDto {
  @ApiProperty({ example: 'orders.created' })
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  id!: string;

  @ApiProperty({ type: [String], example: ['{"orderId":42}'], description: 'Messages in publish order (for an acknowledged subscriber, those available again first); [] when none' })
  data!: string[];

  @ApiProperty({ type: 'integer', example: 0, description: 'Messages still pending for this subscriber; for an acknowledged one, those available now, not those in flight' })
  remaining!: number;

  @ApiPropertyOptional({ type: 'integer', example: 2, description: 'When the fetch carried `ack`: how many of those seqs were in flight and are now settled for good (as POST /api/ack answers)' })
  acked?: number;

  @ApiPropertyOptional({
    type: [DeliveredMessageDto],
    example: [{ seq: 17, data: '{"orderId":42}', deliveries: 1 }],
    description:
      'For an acknowledged subscriber, and any subscriber of a retained subject: the messages of `data`, in the same order, with their seq, their delivery count (acknowledged) and publish time (retained)',
  })
  messages?: DeliveredMessageDto[];

  @ApiPropertyOptional({ type: [Number], example: [17, 18], description: 'A fetch with `lean`, where `messages` would be: the seq of each message of `data`, in the same order' })
  seqs?: number[];

  @ApiPropertyOptional({ type: [Number], example: [1, 2], description: 'A fetch with `lean`, acknowledged subscriber: how many times each message of `data` was delivered to it (1 on the first delivery)' })
  deliveries?: number[];

  @ApiPropertyOptional({ type: [String], example: ['2026-12-03T14:29:07.123Z', '2026-12-03T14:29:07.125Z'], description: 'A fetch with `lean` on a retained subject: when each message of `data` was published, RFC 3339 with milliseconds (UTC)' })
  times?: string[];

  @ApiPropertyOptional({ type: [String], example: ['orders.eu', 'orders.us'], description: 'A fetch with `lean` by a subscriber of a wildcard subject (a pattern): the subject each message of `data` was published to' })
  subjects?: string[];
}
