import { ApiProperty } from '@nestjs/swagger';

/** A message fetched by an acknowledged subscriber: in flight until acked, nacked or its deadline passes. */
export class DeliveredMessageDto {
  @ApiProperty({ type: 'integer', example: 17, description: 'Positive, increasing per subject in publish order, the same for every subscriber; pass it to ack, nack or extend' })
  seq!: number;

  @ApiProperty({ example: '{"orderId":42}' })
  data!: string;

  @ApiProperty({ type: 'integer', example: 1, description: '1 on the first delivery to this subscriber, 2 on the first redelivery, …' })
  deliveries!: number;
}
