import { ApiProperty } from '@nestjs/swagger';

export class NackResponseDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'How many of the seqs were in flight for this subscriber and become available again after delayMs' })
  nacked!: number;
}
