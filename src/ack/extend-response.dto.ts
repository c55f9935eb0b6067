import { ApiProperty } from '@nestjs/swagger';

export class ExtendResponseDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'How many of the seqs were in flight for this subscriber and now have a new deadline, ackWaitMs from now' })
  extended!: number;
}
