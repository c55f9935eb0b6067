import type { DeliverPolicy } from '../broker/store/message-store.js';
import { RequestValidationError } from '../common/validation/request-validation.error.js';

/** What a subscribe's `deliver` may be, as the client writes it. */
export type DeliverRequest = 'new' | 'all' | 'last' | { fromSeq: number } | { fromTime: string };

/** RFC 3339 date-time: a date, `T`, a time (fraction optional) and `Z` or an offset. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const INVALID_DELIVER = 'deliver: must be "new", "all", "last", {"fromSeq": <integer ≥ 1>} or {"fromTime": "<RFC 3339 time>"}';

/**
 * The start a subscribe request asks for, or undefined without `deliver`. Its shape (a string or an
 * object of one of two keys) is more than the JSON schema of the DTO says, so it is checked here,
 * with a 400 naming the field.
 */
export function deliverOf(deliver: unknown): DeliverPolicy | undefined {
  if (deliver === undefined) return undefined;
  if (deliver === 'new' || deliver === 'all' || deliver === 'last') return deliver;
  if (typeof deliver === 'object' && deliver !== null && !Array.isArray(deliver) && Object.keys(deliver).length === 1) {
    const { fromSeq, fromTime } = deliver as { fromSeq?: unknown; fromTime?: unknown };
    if (Number.isSafeInteger(fromSeq) && (fromSeq as number) >= 1) return { fromSeq: fromSeq as number };
    if (typeof fromTime === 'string' && RFC_3339.test(fromTime)) {
      const fromTimeMs = Date.parse(fromTime);
      if (Number.isFinite(fromTimeMs)) return { fromTimeMs };
    }
  }
  throw new RequestValidationError(INVALID_DELIVER, [INVALID_DELIVER]);
}
