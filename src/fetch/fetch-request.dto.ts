import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_FETCH_MESSAGES } from '../broker/broker.service.js';
import { SubjectProperty } from '../common/subject.property.js';

export const MAX_WAIT_MS = 30_000;

export class FetchRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'The id subscribe returned' })
  @IsString()
  id!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_FETCH_MESSAGES, example: 100, description: 'Most messages to return, oldest first; when absent, up to 10,000 within broker.max-fetch-bytes' })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_FETCH_MESSAGES)
  max?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_WAIT_MS, example: 20000, description: 'When nothing is pending, wait up to this long for a message (long-poll)' })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_WAIT_MS)
  waitMs?: number;
}
