import { GopherMQConnectionError } from './errors.js';

/** One request as the client hands it to a transport. */
export interface TransportRequest {
  method: 'GET' | 'POST';
  /** The path and query, e.g. `/api/publish`; joined to the client's `url`. */
  path: string;
  /** Headers to send (lower-case names); `content-type` is set when there is a body. */
  headers: Record<string, string>;
  /** The JSON text of the body, if any. */
  body?: string;
  signal?: AbortSignal;
  /** The call may be sent twice without harm (not a publish, unless its caller opted in). */
  repeatable?: boolean;
}

/** The answer, whatever its status. */
export interface TransportResponse {
  status: number;
  /** The body as text ('' when empty). */
  body: string;
  /** The `Retry-After` header, when present. */
  retryAfter: string | undefined;
}

/**
 * An answer read as it arrives (GET /api/stream). A 2xx answer has `chunks`, its text as it comes;
 * any other status has its whole `body`, as `request` answers it.
 */
export interface TransportStream extends TransportResponse {
  /**
   * The 2xx answer's text as it arrives; ends when the broker ends the answer, rejects with the
   * signal's reason once aborted, or with a `GopherMQConnectionError` when the connection fails.
   */
  chunks?: AsyncIterable<string>;
  /** Closes the connection (the broker sees the client gone); the chunks end. */
  close(): void;
}

/**
 * How the client sends requests: answers every status, rejects with a `GopherMQConnectionError`
 * when no answer came, or with the signal's reason when it was aborted.
 */
export interface Transport {
  request(request: TransportRequest): Promise<TransportResponse>;
  /** A request whose answer is read as it arrives; needed by `stream()` and a streaming `consume()`. */
  openStream?(request: TransportRequest): Promise<TransportStream>;
  /** Releases what the transport keeps open (idle keep-alive connections). */
  close?(): void;
}

/** The platform's `fetch()`: browsers, Deno, Bun, and Node when asked for. */
export class FetchTransport implements Transport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFunction: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  async request({ method, path, headers, body, signal }: TransportRequest): Promise<TransportResponse> {
    let response: Response;
    try {
      response = await this.fetchFunction(this.baseUrl + path, { method, headers, body, signal });
    } catch (error) {
      throw connectionFailure(error, signal);
    }
    try {
      return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') ?? undefined };
    } catch (error) {
      throw connectionFailure(error, signal);
    }
  }

  /** fetch() with its own controller, aborted by `close()` and by the caller's signal; the body read through its stream reader. */
  async openStream({ method, path, headers, body, signal }: TransportRequest): Promise<TransportStream> {
    if (signal?.aborted) throw signal.reason;
    const connection = new AbortController();
    const onAbort = () => connection.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const close = () => {
      signal?.removeEventListener('abort', onAbort);
      connection.abort(new Error('stream closed'));
    };
    let response: Response;
    try {
      response = await this.fetchFunction(this.baseUrl + path, { method, headers, body, signal: connection.signal });
    } catch (error) {
      close();
      throw connectionFailure(error, signal);
    }
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    if (response.status < 200 || response.status >= 300 || response.body === null) {
      try {
        return { status: response.status, body: await response.text(), retryAfter, close };
      } catch (error) {
        throw connectionFailure(error, signal);
      } finally {
        close();
      }
    }
    const reader = response.body.getReader();
    async function* chunks(): AsyncGenerator<string> {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          let read: Awaited<ReturnType<typeof reader.read>>;
          try {
            read = await reader.read();
          } catch (error) {
            if (connection.signal.aborted && !signal?.aborted) return; // closed by this side
            throw connectionFailure(error, signal);
          }
          if (read.done) return;
          yield decoder.decode(read.value, { stream: true });
        }
      } finally {
        close();
      }
    }
    return { status: response.status, body: '', retryAfter, chunks: chunks(), close };
  }
}

/** An aborted call rejects with the signal's reason; anything else that kept the answer from us is a connection failure. */
export function connectionFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  const text = typeof code === 'string' ? code : (error as Error)?.message ?? String(error);
  return new GopherMQConnectionError(`no answer from the broker: ${text}`, { cause: error, code: typeof code === 'string' ? code : undefined });
}
