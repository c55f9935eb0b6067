import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BrokerError, BrokerErrorCode } from '../../broker/broker.error.js';

/** The one place where a broker error becomes an HTTP status. */
export function statusOf(code: BrokerErrorCode): HttpStatus {
  switch (code) {
    case BrokerErrorCode.InvalidSubject:
    case BrokerErrorCode.NotAcknowledged:
    case BrokerErrorCode.NotRetained:
    case BrokerErrorCode.PushNotEnabled:
    case BrokerErrorCode.PushUrlNotAllowed:
    case BrokerErrorCode.InvalidRequest:
    case BrokerErrorCode.PatternReplay:
      return HttpStatus.BAD_REQUEST;
    case BrokerErrorCode.SubscriberNotFound:
    case BrokerErrorCode.BadId:
    case BrokerErrorCode.SubjectNotFound:
      return HttpStatus.NOT_FOUND;
    case BrokerErrorCode.SubscriberSettingsDiffer:
    case BrokerErrorCode.SubscriberNameTaken:
      return HttpStatus.CONFLICT;
    case BrokerErrorCode.Overflow:
    case BrokerErrorCode.AsyncQueueFull:
    case BrokerErrorCode.TooManySubscribers:
    case BrokerErrorCode.TooManyStreams:
      return HttpStatus.TOO_MANY_REQUESTS;
    case BrokerErrorCode.ShuttingDown:
    case BrokerErrorCode.TooManyAnswersInFlight:
    case BrokerErrorCode.StoreUnavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

@Catch(BrokerError)
export class BrokerExceptionFilter implements ExceptionFilter<BrokerError> {
  catch(error: BrokerError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<FastifyReply>().status(statusOf(error.code)).send({ message: error.message });
  }
}
