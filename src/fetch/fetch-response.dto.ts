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
}
