import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { MAX_SUBJECT_LENGTH, SUBJECT_PATTERN } from '../broker/subject.js';

/** A `subject` field: dot-separated tokens, no whitespace, no empty token, at most 256 characters. */
export function SubjectProperty(example = 'orders.created'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example,
      pattern: SUBJECT_PATTERN,
      maxLength: MAX_SUBJECT_LENGTH,
      description: `Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most ${MAX_SUBJECT_LENGTH} characters`,
    }),
    IsString(),
    MaxLength(MAX_SUBJECT_LENGTH, { message: 'invalid subject' }),
    Matches(new RegExp(SUBJECT_PATTERN), { message: 'invalid subject' }),
  );
}
