import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DeliverRequest } from './deliver-policy.js';

/** The subscriber (new, or the one of that name); its name and acknowledgement settings are echoed only when they were given. */
export class SubscriptionDto {
  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'Pass it to fetch' })
  id!: string;

  @ApiProperty({ example: 'orders.created' })
  subject!: string;

  @ApiPropertyOptional({ example: 'billing', description: 'Present for a named subscriber' })
  name?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object' }],
    example: 'all',
    description: 'Present when it was given: the `deliver` of the request',
  })
  deliver?: DeliverRequest;

  @ApiPropertyOptional({ type: 'integer', example: 30000, description: 'Present for an acknowledged subscriber' })
  ackWaitMs?: number;

  @ApiPropertyOptional({ type: 'integer', example: 5, description: 'Present when it was given' })
  maxDeliveries?: number;

  @ApiPropertyOptional({ example: 'orders.created.dead', description: 'Present when it was given' })
  deadLetterSubject?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1000, description: 'Present for an acknowledged subscriber: the one given, or 1000' })
  maxAckPending?: number;

  @ApiPropertyOptional({ example: 'https://hooks.internal/orders', description: 'Present for a push subscriber: the URL it is pushed to, as the URL parser normalised it' })
  pushUrl?: string;

  @ApiPropertyOptional({ type: 'integer', example: 10, description: 'Present for a push subscriber: the one given, or 10' })
  pushConcurrency?: number;
}
