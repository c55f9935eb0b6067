import { DEFAULT_MAX_ACK_PENDING, type AckSettings } from '../broker/store/message-store.js';
import { INVALID_BODY_MESSAGE, RequestValidationError } from '../common/validation/request-validation.error.js';
import { DEFAULT_PUSH_CONCURRENCY, type SubscribeRequestDto } from './subscribe-request.dto.js';

/**
 * The acknowledgement settings of a subscribe request whose fields are each valid (its DTO checked
 * them), or undefined for an at-most-once subscriber. Throws the same 400 as the DTO for the rules
 * between fields, which a JSON schema compiled from the decorators cannot state.
 */
export function ackSettingsOf(request: SubscribeRequestDto): AckSettings | undefined {
  const { subject, maxDeliveries, deadLetterSubject, maxAckPending } = request;
  const problems = pushProblems(request);
  // A push subscriber is always acknowledged (push-subscribe.ts gives it its ackWaitMs).
  const ackWaitMs = request.ackWaitMs ?? (request.pushUrl !== undefined ? DEFAULT_PUSH_ACK_WAIT_MS : undefined);
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
    // A push subscriber's concurrency is its maxAckPending: the store then bounds it over every instance.
    maxAckPending: request.pushUrl !== undefined ? (request.pushConcurrency ?? DEFAULT_PUSH_CONCURRENCY) : (maxAckPending ?? DEFAULT_MAX_ACK_PENDING),
  };
}

/** ackWaitMs of a push subscriber that did not choose one. */
export const DEFAULT_PUSH_ACK_WAIT_MS = 30_000;

/** The rules of pushUrl and pushConcurrency between fields. */
function pushProblems({ pushUrl, pushConcurrency, name, maxAckPending }: SubscribeRequestDto): string[] {
  const problems: string[] = [];
  if (pushConcurrency !== undefined && pushUrl === undefined) problems.push('pushConcurrency: only together with pushUrl');
  if (pushUrl !== undefined && name !== undefined) problems.push('name: not together with pushUrl');
  if (pushUrl !== undefined && maxAckPending !== undefined) problems.push('maxAckPending: not together with pushUrl (pushConcurrency bounds its messages in flight)');
  return problems;
}
