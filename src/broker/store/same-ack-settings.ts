import { DEFAULT_MAX_ACK_PENDING, type AckSettings } from './message-store.js';

/**
 * Whether two subscribers' effective acknowledgement settings are the same: what a subscribe with
 * an existing name must match. An omitted maxAckPending is the default, as the subscriber would get.
 */
export function sameAckSettings(a: AckSettings | undefined, b: AckSettings | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.ackWaitMs === b.ackWaitMs &&
    a.maxDeliveries === b.maxDeliveries &&
    a.deadLetterSubject === b.deadLetterSubject &&
    (a.maxAckPending ?? DEFAULT_MAX_ACK_PENDING) === (b.maxAckPending ?? DEFAULT_MAX_ACK_PENDING)
  );
}
