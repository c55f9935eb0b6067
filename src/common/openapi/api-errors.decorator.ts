import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto.js';

const DESCRIPTIONS: Record<number, { description: string; example: string }> = {
  400: { description: 'Invalid subject or a body that is not an object of the right shape', example: 'invalid subject' },
  404: { description: 'No such subscriber', example: 'bad id' },
  413: { description: 'Body larger than broker.body-limit-bytes', example: 'request body too large' },
  415: { description: 'Body not sent as application/json', example: 'unsupported media type: send application/json' },
  429: { description: 'A limit of the broker is reached; retry later', example: 'broker overflow' },
  500: { description: 'An unexpected failure, logged by the broker; the answer carries no details', example: 'server error' },
  503: {
    description: 'On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down)',
    example: 'store unavailable',
  },
};

/** A status with the texts above, or with a route's own example and description. */
export type ApiError = number | { status: number; example: string; description?: string };

/** Documents the error answers of a route, each with the `{"message": …}` body; every route may answer 500 and 503. */
export function ApiErrors(...errors: ApiError[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[...errors, 500, ...(errors.some((error) => typeof error === 'object' && error.status === 503) ? [] : [503])].map((error) => {
      const { status, ...own } = typeof error === 'number' ? { status: error } : error;
      const { description, example } = { ...DESCRIPTIONS[status], ...own };
      return ApiResponse({ status, description, type: ErrorResponseDto, example: { message: example } });
    }),
  );
}
