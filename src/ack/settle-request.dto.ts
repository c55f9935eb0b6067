import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Min } from 'class-validator';
import { SubjectProperty } from '../common/subject.property.js';

/** Most seqs one ack, nack or extend may name: a full fetch of `max` 1000 fits in one. */
export const MAX_SEQS_PER_REQUEST = 1000;

/** The body of ack and extend: which in-flight messages of which subscriber. */
export class SettleRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'The id subscribe returned' })
  @IsString()
  id!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1 },
    minItems: 1,
    maxItems: MAX_SEQS_PER_REQUEST,
    example: [1, 2],
    description: `The seqs fetch gave in \`messages\`, 1 to ${MAX_SEQS_PER_REQUEST}; unknown or already settled ones are not errors, they just do not count`,
  })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_SEQS_PER_REQUEST) @IsInt({ each: true }) @Min(1, { each: true })
  seqs!: number[];
}
