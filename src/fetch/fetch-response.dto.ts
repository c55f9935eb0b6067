import { ApiProperty } from '@nestjs/swagger';

export class FetchResponseDto {
  @ApiProperty({ example: 'orders.created' })
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  id!: string;

  @ApiProperty({ type: [String], example: ['{"orderId":42}'], description: 'Messages in publish order; [] when none' })
  data!: string[];

  @ApiProperty({ type: 'integer', example: 0, description: 'Messages still pending for this subscriber' })
  remaining!: number;
}
