import { ApiProperty } from '@nestjs/swagger';

export class StatusResponseDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
}

/** The one success body of publish and unsubscribe; shared and never mutated. */
export const STATUS_OK: StatusResponseDto = Object.freeze({ status: 'ok' });
