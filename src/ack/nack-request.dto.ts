import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ACK_WAIT_MS } from '../subscribe/subscribe-request.dto.js';
import { SettleRequestDto } from './settle-request.dto.js';

export class NackRequestDto extends SettleRequestDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_ACK_WAIT_MS,
    default: 0,
    example: 5000,
    description: 'The messages become available again after this many milliseconds; 0: at once',
  })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_ACK_WAIT_MS)
  delayMs?: number;
}
