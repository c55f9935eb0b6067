import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { PushAnswer, PushOutcome } from './push-outcome.js';

/** Most of an answer's body read (and thrown away) so its connection can be kept; past it the connection is closed. */
const MAX_ANSWER_BODY_BYTES = 64 * 1024;

/** undici's codes for its time-outs: connecting, waiting for the headers, waiting for the body. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The HTTP client of push delivery: undici, one Agent for every receiver, keeping connections
 * alive per origin (each origin its own pool, so a receiver that hangs or a host that cannot be
 * reached holds only its own connections). Redirects are not followed (a 3xx is a failed delivery):
 * following one would leave push.allowed-urls. The time-outs are undici's own, on its coarse timer
 * wheel: no timer per request.
 */
export class PushClient {
  private readonly agent: Agent;

  constructor(
    timeoutMs: number,
    /** push.signing-secret; empty: no signature header. */
    private readonly signingSecret: string,
  ) {
    this.agent = new Agent({
      connect: { timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 30_000,
      // undici 7 follows no redirect unless given its redirect interceptor, which this is not.
    });
  }

  /** POSTs `body` to `url`; never throws: every failure is an outcome. */
  async post(url: string, body: string): Promise<PushAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'GopherMQ-push' };
    if (this.signingSecret !== '') headers['x-gophermq-signature'] = `sha256=${createHmac('sha256', this.signingSecret).update(body).digest('hex')}`;
    try {
      const answer = await request(url, { method: 'POST', headers, body, dispatcher: this.agent });
      await answer.body.dump({ limit: MAX_ANSWER_BODY_BYTES }).catch(() => undefined);
      const outcome = outcomeOf(answer.statusCode);
      if (answer.statusCode !== 429 && answer.statusCode !== 503) return { outcome };
      const retryAfterMs = retryAfterOf(answer.headers['retry-after']);
      return retryAfterMs === undefined ? { outcome } : { outcome, retryAfterMs };
    } catch (error) {
      return { outcome: TIMEOUT_CODES.has((error as { code?: string }).code ?? '') ? 'timeout' : 'error' };
    }
  }

  /** Abandons requests in flight and closes every connection. */
  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}

function outcomeOf(status: number): PushOutcome {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  return '5xx';
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when it is neither. */
export function retryAfterOf(header: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month; Date.parse alone would read "-1" or "1.5" as dates.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const dateMs = Date.parse(text);
  return Number.isFinite(dateMs) ? Math.max(0, dateMs - nowMs) : undefined;
}
