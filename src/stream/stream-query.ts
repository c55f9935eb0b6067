import type { DeliverPolicy } from '../broker/store/message-store.js';
import { isValidSubject } from '../broker/subject.js';
import { BrokerError } from '../broker/broker.error.js';
import { deliverOf } from '../subscribe/deliver-policy.js';
import { RequestValidationError } from '../common/validation/request-validation.error.js';

/** Most messages a stream holds unacknowledged, whatever maxInFlight asks. */
export const MAX_STREAM_IN_FLIGHT = 10_000;
export const DEFAULT_STREAM_IN_FLIGHT = 100;

/** The 400 of a query that does not fit, as fetch's 400 for a body that does not. */
export const INVALID_QUERY_MESSAGE = "request's query is invalid";

/** What GET /api/stream asks, read from its query string. */
export interface StreamQuery {
  subject: string;
  /** An existing subscriber; absent: an ephemeral one is created for the stream. */
  id?: string;
  /** Most messages the stream holds unacknowledged (acknowledged subscribers). */
  maxInFlight: number;
  /** Where an ephemeral subscriber starts. */
  deliver?: DeliverPolicy;
}

const KNOWN = new Set(['subject', 'id', 'maxInFlight', 'deliver', 'fromSeq', 'fromTime', 'access_token']);
const DIGITS = /^[0-9]{1,6}$/;

/**
 * Reads the query Fastify parsed (a repeated parameter arrives as an array: refused). `deliver` is
 * `new`, `all` or `last`, or a start given as `fromSeq=N` or `fromTime=<RFC 3339>`, as a subscribe's
 * `deliver` (only without `id`: an existing subscriber started where its subscribe said).
 */
export function readStreamQuery(query: unknown): StreamQuery {
  const params = (query ?? {}) as Record<string, unknown>;
  const errors: string[] = [];
  const { subject, id, maxInFlight, deliver, fromSeq, fromTime } = params;
  if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
  for (const name of Object.keys(params)) {
    if (!KNOWN.has(name)) errors.push(`${name}: not a parameter of this route`);
    else if (typeof params[name] !== 'string') errors.push(`${name}: given more than once`);
  }
  if (errors.length > 0) throw new RequestValidationError(INVALID_QUERY_MESSAGE, errors.slice(0, 20), errors.length);
  let inFlight = DEFAULT_STREAM_IN_FLIGHT;
  if (maxInFlight !== undefined) {
    inFlight = DIGITS.test(maxInFlight as string) ? Number(maxInFlight) : NaN;
    if (!(inFlight >= 1 && inFlight <= MAX_STREAM_IN_FLIGHT)) errors.push(`maxInFlight: must be an integer from 1 to ${MAX_STREAM_IN_FLIGHT}`);
  }
  const starts = [deliver, fromSeq, fromTime].filter((given) => given !== undefined).length;
  if (starts > 1) errors.push('deliver: give one of deliver, fromSeq and fromTime');
  if (starts > 0 && id !== undefined) errors.push('deliver: only without id (an existing subscriber starts where its subscribe said)');
  if (id !== undefined && (id as string).length === 0) errors.push('id: must not be empty');
  if (errors.length > 0) throw new RequestValidationError(INVALID_QUERY_MESSAGE, errors);
  let policy: DeliverPolicy | undefined;
  if (deliver !== undefined) policy = deliverOf(deliver);
  else if (fromSeq !== undefined) policy = deliverOf({ fromSeq: DIGITS_ANY.test(fromSeq as string) ? Number(fromSeq) : fromSeq });
  else if (fromTime !== undefined) policy = deliverOf({ fromTime });
  return { subject, id: id as string | undefined, maxInFlight: inFlight, deliver: policy };
}

const DIGITS_ANY = /^[0-9]{1,16}$/;
