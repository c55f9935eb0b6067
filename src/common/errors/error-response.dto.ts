import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Every error body: `message` is always a plain string, as the original's clients expect. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'invalid subject' })
  message!: string;

  @ApiPropertyOptional({ type: [String], description: 'Each field that failed validation', example: ['subject: invalid subject'] })
  errors?: string[];
}
