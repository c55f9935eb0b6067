import type { DeliveredMessage } from '../broker/store/message-store.js';
import type { EndReason } from '../broker/standing-consumers.js';

export const SSE_MEDIA_TYPE = 'text/event-stream';
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/**
 * How a stream's events are written: Server-Sent Events (the WHATWG EventSource rules: `id:`,
 * `event:`, one `data:` line of JSON, a blank line; a comment line as keep-alive) or one JSON object
 * per line. Each message's JSON is one JSON.stringify of its data; the rest is concatenation.
 */
export interface StreamFormat {
  readonly contentType: string;
  open(id: string, subject: string): string;
  /** The messages of one take, as one chunk. */
  messages(subjectJson: string, messages: readonly DeliveredMessage[]): string;
  readonly keepalive: string;
  close(reason: EndReason): string;
  /** Characters an event adds to its data and subject (the time and delivery count included), to size a take. */
  readonly overheadChars: number;
}

/** The JSON of one message, without its braces' opening (the caller puts its prefix first). */
function messageFields(subjectJson: string, { subject, seq, data, time, deliveries }: DeliveredMessage): string {
  // A pattern subscriber's message names the subject it was published to.
  let json = `"subject":${subject === undefined ? subjectJson : JSON.stringify(subject)},"seq":${seq},"data":${JSON.stringify(data)}`;
  if (time !== undefined) json += `,"time":"${time}"`;
  if (deliveries !== undefined) json += `,"deliveries":${deliveries}`;
  return json;
}

export const SSE: StreamFormat = {
  contentType: `${SSE_MEDIA_TYPE}; charset=utf-8`,
  open: (id, subject) => `event: open\ndata: ${JSON.stringify({ id, subject })}\n\n`,
  messages(subjectJson, messages) {
    let chunk = '';
    for (const message of messages) chunk += `id: ${message.seq}\nevent: message\ndata: {${messageFields(subjectJson, message)}}\n\n`;
    return chunk;
  },
  keepalive: ': keepalive\n\n',
  // EventSource dispatches no event without data: the reason is its data.
  close: (reason) => `event: close\ndata: {"reason":"${reason}"}\n\n`,
  overheadChars: 120,
};

export const NDJSON: StreamFormat = {
  contentType: NDJSON_MEDIA_TYPE,
  open: (id, subject) => `${JSON.stringify({ event: 'open', id, subject })}\n`,
  messages(subjectJson, messages) {
    let chunk = '';
    for (const message of messages) chunk += `{"event":"message",${messageFields(subjectJson, message)}}\n`;
    return chunk;
  },
  keepalive: '{"event":"keepalive"}\n',
  close: (reason) => `{"event":"close","reason":"${reason}"}\n`,
  overheadChars: 110,
};

/**
 * `Accept: application/x-ndjson` → NDJSON; anything else (text/event-stream, `*\/*`, none) → SSE,
 * unless it prefers text/event-stream by naming it first.
 */
export function formatFor(accept: string | undefined): StreamFormat {
  if (accept === undefined) return SSE;
  const ndjson = accept.indexOf(NDJSON_MEDIA_TYPE);
  if (ndjson < 0) return SSE;
  const sse = accept.indexOf(SSE_MEDIA_TYPE);
  return sse >= 0 && sse < ndjson ? SSE : NDJSON;
}
