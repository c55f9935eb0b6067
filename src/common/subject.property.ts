import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { SUBJECT_PATTERN } from '../broker/subject.js';

/** A `subject` field: dot-separated tokens, no whitespace, no empty token. */
export function SubjectProperty(example = 'orders.created'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example,
      pattern: SUBJECT_PATTERN,
      description: 'Dot-separated tokens as in NATS: no space, tab, CR or LF, and no empty token',
    }),
    IsString(),
    Matches(new RegExp(SUBJECT_PATTERN), { message: 'invalid subject' }),
  );
}
