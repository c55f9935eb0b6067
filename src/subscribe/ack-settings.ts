import { DEFAULT_MAX_ACK_PENDING, type AckSettings } from '../broker/store/message-store.js';
import { INVALID_BODY_MESSAGE, RequestValidationError } from '../common/validation/request-validation.error.js';
import type { SubscribeRequestDto } from './subscribe-request.dto.js';

/**
 * The acknowledgement settings of a subscribe request whose fields are each valid (its DTO checked
 * them), or undefined for an at-most-once subscriber. Throws the same 400 as the DTO for the rules
 * between fields, which a JSON schema compiled from the decorators cannot state.
 */
export function ackSettingsOf({ subject, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending }: SubscribeRequestDto): AckSettings | undefined {
  const problems: string[] = [];
  if (maxDeliveries !== undefined && ackWaitMs === undefined) problems.push('maxDeliveries: only together with ackWaitMs');
  if (maxAckPending !== undefined && ackWaitMs === undefined) problems.push('maxAckPending: only together with ackWaitMs');
  if (deadLetterSubject !== undefined && maxDeliveries === undefined) problems.push('deadLetterSubject: only together with maxDeliveries');
  else if (deadLetterSubject !== undefined && ackWaitMs === undefined) problems.push('deadLetterSubject: only together with ackWaitMs');
  // Its own subject would hand a message that keeps failing back to the same consumers, forever.
  if (deadLetterSubject === subject) problems.push('deadLetterSubject: must differ from subject');
  if (problems.length > 0) throw new RequestValidationError(INVALID_BODY_MESSAGE, problems);
  if (ackWaitMs === undefined) return undefined;
  return {
    ackWaitMs,
    ...(maxDeliveries !== undefined && { maxDeliveries }),
    ...(deadLetterSubject !== undefined && { deadLetterSubject }),
    maxAckPending: maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
  };
}
