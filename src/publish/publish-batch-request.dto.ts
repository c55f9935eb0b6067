import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { PublishRequestDto } from './publish-request.dto.js';

/** Hard ceiling of the schema; broker.max-batch-size (default 1000) is the limit in force. */
export const BATCH_SIZE_CEILING = 100_000;

export class PublishBatchRequestDto {
  @ApiProperty({
    type: [PublishRequestDto],
    minItems: 1,
    description: 'Published in order; at most broker.max-batch-size entries (default 1000)',
    example: [
      { subject: 'orders.created', data: '{"orderId":42}' },
      { subject: 'orders.paid', data: '{"orderId":42}' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_SIZE_CEILING)
  @ValidateNested({ each: true })
  @Type(() => PublishRequestDto)
  messages!: PublishRequestDto[];
}
