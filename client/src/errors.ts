/** An answer of the broker other than success: its status and its `{"message": …}` body. */
export class GopherMQError extends Error {
  /** The HTTP status of the answer, e.g. 404. */
  readonly status: number;
  /** With a validation error (400): the fields that failed, one string each. */
  readonly errors: string[] | undefined;
  /** How many fields failed, when the broker listed only the first of them in `errors`. */
  readonly errorCount: number | undefined;
  /** Seconds the broker asks to wait before trying again (its `Retry-After`), on 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(status: number, message: string, details: { errors?: string[]; errorCount?: number; retryAfter?: number } = {}) {
    super(message);
    this.name = 'GopherMQError';
    this.status = status;
    this.errors = details.errors;
    this.errorCount = details.errorCount;
    this.retryAfter = details.retryAfter;
  }

  /** The error of an answer, from its status, body and Retry-After header; a body that is not the broker's (a proxy's page) gives a message naming the status. */
  static fromAnswer(status: number, body: string, retryAfterHeader: string | undefined): GopherMQError {
    let parsed: unknown;
    try {
      parsed = body === '' ? undefined : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const { message, errors, errorCount } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    return new GopherMQError(status, typeof message === 'string' ? message : `HTTP ${status}${body === '' ? '' : `: ${body.slice(0, 200)}`}`, {
      errors: Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : undefined,
      errorCount: typeof errorCount === 'number' ? errorCount : undefined,
      retryAfter: retryAfterSeconds(retryAfterHeader),
    });
  }
}

/** No answer: the broker could not be reached, or the connection broke before the answer was read. */
export class GopherMQConnectionError extends Error {
  /** The system's error code when there is one (ECONNREFUSED, ECONNRESET, ENOTFOUND, …). */
  readonly code: string | undefined;

  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'GopherMQConnectionError';
    this.code = options.code;
  }
}

/** `Retry-After` as seconds: a number of seconds, or an HTTP date (seconds from now, at least 0). */
export function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : undefined;
}
