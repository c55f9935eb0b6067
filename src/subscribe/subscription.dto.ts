import { ApiProperty } from '@nestjs/swagger';

export class SubscriptionDto {
  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'Pass it to fetch' })
  id!: string;

  @ApiProperty({ example: 'orders.created' })
  subject!: string;
}
