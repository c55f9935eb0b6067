import { request, type IncomingMessage } from 'node:http';
import { eventually } from './eventually.js';

/** One event of a stream as its client reads it: SSE fields, or an NDJSON line's `event` and the rest. */
export interface StreamEvent {
  event: string;
  /** SSE `id:` field (the message's seq). */
  id?: string;
  /** The event's JSON (SSE `data:`, or the NDJSON line without `event`); undefined for a keep-alive. */
  data?: any;
}

/**
 * A client of GET /api/stream over real HTTP (node:http), reading its events as they come. With
 * `paused`, it reads nothing until resume(): a slow reader.
 */
export class StreamClient {
  readonly events: StreamEvent[] = [];
  private buffer = '';
  /** Set once the broker ended the answer or the connection closed. */
  ended = false;

  private constructor(
    readonly response: IncomingMessage,
    readonly format: 'sse' | 'ndjson',
  ) {}

  /** Opens `url` (with its query); rejects with the JSON error when the answer is not 200. */
  static async open(url: string, { accept, headers = {}, paused = false }: { accept?: string; headers?: Record<string, string>; paused?: boolean } = {}): Promise<StreamClient> {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request(url, { headers: { ...(accept && { accept }), ...headers }, agent: false }, resolve);
      outgoing.on('error', reject);
      outgoing.end();
    });
    if (response.statusCode !== 200) {
      const body = await readAll(response);
      throw new StreamRefused(response.statusCode!, body ? JSON.parse(body) : undefined, response.headers['content-type']);
    }
    const format = String(response.headers['content-type']).startsWith('application/x-ndjson') ? 'ndjson' : 'sse';
    const client = new StreamClient(response, format);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => client.receive(chunk));
    response.on('end', () => (client.ended = true));
    response.on('close', () => (client.ended = true));
    response.on('error', () => (client.ended = true));
    if (paused) response.pause();
    return client;
  }

  /** The messages' JSON, in order. */
  get messages(): any[] {
    return this.events.filter((event) => event.event === 'message').map((event) => event.data);
  }

  /** Waits until `count` messages have arrived (or more). */
  async waitForMessages(count: number, timeoutMs = 5000): Promise<any[]> {
    await eventually(() => this.messages.length >= count, timeoutMs);
    return this.messages;
  }

  async waitForEvent(name: string, timeoutMs = 5000): Promise<StreamEvent> {
    await eventually(() => this.events.some((event) => event.event === name), timeoutMs);
    return this.events.find((event) => event.event === name)!;
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  /** Goes away: the client closes its connection. */
  close(): void {
    this.response.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    const separator = this.format === 'sse' ? '\n\n' : '\n';
    let end: number;
    while ((end = this.buffer.indexOf(separator)) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + separator.length);
      this.events.push(this.format === 'sse' ? parseSse(block) : parseNdjson(block));
    }
  }
}

export class StreamRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
    readonly contentType: string | undefined,
  ) {
    super(`stream refused: ${status} ${JSON.stringify(body)}`);
  }
}

function parseSse(block: string): StreamEvent {
  const event: StreamEvent = { event: 'message' };
  let data: string | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { event: 'keepalive' }; // a comment line
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
  }
  if (data !== undefined) event.data = JSON.parse(data);
  return event;
}

function parseNdjson(line: string): StreamEvent {
  const { event, ...rest } = JSON.parse(line);
  return event === 'keepalive' ? { event } : { event, data: rest };
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk;
  return text;
}
