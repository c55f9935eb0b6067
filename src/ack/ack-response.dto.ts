import { ApiProperty } from '@nestjs/swagger';

export class AckResponseDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'How many of the seqs were in flight for this subscriber and are now settled for good' })
  acked!: number;
}
