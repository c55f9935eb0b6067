import { BadRequestException } from '@nestjs/common';

/** The original's text for a body that is not an object of the right shape. */
export const INVALID_BODY_MESSAGE = "request's body is invalid";

/** How many failed fields an answer lists at most: a hostile body can fail tens of thousands. */
export const MAX_LISTED_ERRORS = 20;

/**
 * 400 with the contract's `message` and, beside it, the fields that failed: every one, or the
 * first MAX_LISTED_ERRORS with `errorCount` saying how many there were.
 */
export class RequestValidationError extends BadRequestException {
  constructor(message: string, errors: string[], errorCount = errors.length) {
    super(errorCount > errors.length ? { message, errors, errorCount } : { message, errors });
    this.name = 'RequestValidationError';
  }
}
