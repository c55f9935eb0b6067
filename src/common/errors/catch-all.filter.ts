import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject, Logger, Optional } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { FastifyReply } from 'fastify';
import { discardBody } from '../http/discard-body.js';
import { lingerOnClose } from '../http/linger-close.js';
import type { Counter } from 'prom-client';
import { REQUESTS_ABORTED_METRIC } from '../../metrics/request-metrics.providers.js';
import { INVALID_BODY_MESSAGE } from '../validation/request-validation.error.js';

const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

/** Fastify's own request errors (body parsing, limits), reworded for our clients. */
const FASTIFY_ERRORS: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: INVALID_BODY_MESSAGE },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: INVALID_BODY_MESSAGE },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: INVALID_BODY_MESSAGE },
  [BODY_TOO_LARGE]: { status: 413, message: 'request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'unsupported media type: send application/json' },
};

/**
 * Every error not mapped more specifically: HTTP errors keep their status with a string `message`;
 * anything else is a bug, logged here and answered with a generic 500 that leaks nothing.
 * A client that leaves in the middle of its upload is no bug: counted, and logged at debug only.
 * A body too large is answered once the rest of it has been read (see discardBody), so that the
 * client, still writing it, reads the 413.
 */
@Catch()
export class CatchAllFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    /** Absent when monitoring is off. */
    @Optional() @Inject(getToken(REQUESTS_ABORTED_METRIC)) private readonly aborted?: Counter,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    const { status, body } = this.toResponse(error);
    if (fastifyCodeOf(error) !== BODY_TOO_LARGE) {
      reply.status(status).send(body);
      return;
    }
    // Fastify has set `connection: close`: the client may send more than the bound lets us read.
    discardBody(reply.request.raw)
      .then(() => {
        if (reply.sent) return;
        // What is left of the body may still be arriving: the close after the answer must not reset it.
        if (!reply.request.raw.complete) lingerOnClose(reply.request.raw);
        reply.status(status).header('connection', 'close').send(body);
      })
      .catch((failure: unknown) => this.logger.error(failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)));
  }

  private toResponse(error: unknown): { status: number; body: object } {
    if (error instanceof HttpException) {
      const known = FASTIFY_ERRORS[fastifyCodeOf(error) ?? ''];
      if (known) return { status: known.status, body: { message: known.message } };
      // Fastify's JSON parser rejects bad JSON with a plain SyntaxError; Nest wraps it as the cause.
      if (error.cause instanceof SyntaxError) return { status: 400, body: { message: INVALID_BODY_MESSAGE } };
      return { status: error.getStatus(), body: withStringMessage(error.getResponse()) };
    }
    if (isClientAbort(error)) {
      this.aborted?.inc();
      this.logger.debug('client closed the connection before sending the whole body');
      // Nobody reads this answer; it only completes the request.
      return { status: 400, body: { message: INVALID_BODY_MESSAGE } };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { message: 'server error' } };
  }
}

/** The code of a Fastify error, which Nest wraps in an HttpException as its cause. */
function fastifyCodeOf(error: unknown): string | undefined {
  return error instanceof HttpException ? (error.cause as { code?: string } | undefined)?.code : undefined;
}

/** Node fails the body's stream with ECONNRESET ("aborted") when the client closes the connection mid-body. */
function isClientAbort(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET';
}

function withStringMessage(response: string | object): object {
  if (typeof response === 'string') return { message: response };
  const { message, statusCode: _status, error: _error, ...rest } = response as Record<string, unknown>;
  return { message: Array.isArray(message) ? message.join('; ') : String(message ?? 'error'), ...rest };
}
