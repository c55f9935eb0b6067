import { ApiProperty } from '@nestjs/swagger';

/** One entry's outcome: `status` when published, `message` (the error text) when refused. */
export class PublishResultDto {
  @ApiProperty({ required: false, example: 'ok' })
  status?: 'ok';

  @ApiProperty({ required: false, example: 'subscriber not found', enum: ['invalid subject', 'subscriber not found', 'broker overflow', 'forbidden'] })
  message?: string;
}

export class PublishBatchResponseDto {
  @ApiProperty({
    type: [PublishResultDto],
    description: 'One result per entry, in the order sent',
    example: [{ status: 'ok' }, { message: 'subscriber not found' }],
  })
  results!: PublishResultDto[];
}
