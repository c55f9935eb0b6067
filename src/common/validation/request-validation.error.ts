import { BadRequestException } from '@nestjs/common';

/** The original's text for a body that is not an object of the right shape. */
export const INVALID_BODY_MESSAGE = "request's body is invalid";

/** 400 with the contract's `message` and, beside it, every field that failed. */
export class RequestValidationError extends BadRequestException {
  constructor(message: string, errors: string[]) {
    super({ message, errors });
    this.name = 'RequestValidationError';
  }
}
