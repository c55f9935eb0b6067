import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MAX_SUBJECT_LENGTH, SUBJECT_PATTERN } from '../broker/subject.js';

/**
 * A subject field (`subject` unless named otherwise): dot-separated tokens, no whitespace, no empty
 * token, at most 256 characters. `required: false` for an optional one.
 */
export function SubjectProperty(example = 'orders.created', { required = true, description = '' } = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example,
      required,
      pattern: SUBJECT_PATTERN,
      maxLength: MAX_SUBJECT_LENGTH,
      description: `${description}Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most ${MAX_SUBJECT_LENGTH} characters`,
    }),
    ...(required ? [] : [IsOptional()]),
    IsString(),
    MaxLength(MAX_SUBJECT_LENGTH, { message: 'invalid subject' }),
    Matches(new RegExp(SUBJECT_PATTERN), { message: 'invalid subject' }),
  );
}
