import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_LISTED_ERRORS } from '../validation/request-validation.error.js';

/** Every error body: `message` is always a plain string, as the original's clients expect. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'invalid subject' })
  message!: string;

  @ApiPropertyOptional({
    type: [String],
    description: `The fields that failed validation: every one, or the first ${MAX_LISTED_ERRORS} when there were more (see errorCount)`,
    example: ['subject: invalid subject'],
  })
  errors?: string[];

  @ApiPropertyOptional({
    type: Number,
    description: `How many fields failed, when more than the ${MAX_LISTED_ERRORS} listed in errors; absent otherwise`,
    example: 2000,
  })
  errorCount?: number;
}
