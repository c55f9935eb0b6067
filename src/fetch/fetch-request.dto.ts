import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_SEQS_PER_REQUEST } from '../ack/settle-request.dto.js';
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

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'integer', minimum: 1 },
    maxItems: MAX_SEQS_PER_REQUEST,
    example: [15, 16],
    description:
      `Acknowledged subscribers: seqs to ack before taking (what POST /api/ack does, in the same request: a consumer loop sends one request per batch, not two). ` +
      `The answer then says how many were acked in \`acked\`; on an at-most-once subscriber 400 \`subscriber does not use acknowledgements\` and nothing is taken`,
  })
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_SEQS_PER_REQUEST) @IsInt({ each: true }) @Min(1, { each: true })
  ack?: number[];

  @ApiPropertyOptional({
    type: 'boolean',
    example: true,
    description:
      'The lean answer: where `messages` would be (an acknowledged subscriber, a retained subject, a pattern), each message\'s data only in `data` and beside it, ' +
      'in the same order, `seqs`, and `deliveries` (acknowledged), `times` (retained), `subjects` (pattern). More messages fit broker.max-fetch-bytes, as each is written once. ' +
      'Absent or false: `messages`, as always',
  })
  @IsOptional() @IsBoolean()
  lean?: boolean;
}
