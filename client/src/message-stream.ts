import { GopherMQConnectionError } from './errors.js';
import type { TransportStream } from './transport.js';
import type { StreamedMessage, StreamEndReason } from './types.js';

/** One line of the NDJSON stream, as the broker writes it (README "Event streams"). */
type StreamEvent =
  | { event: 'open'; id: string; subject: string }
  | ({ event: 'message' } & StreamedMessage)
  | { event: 'keepalive' }
  | { event: 'close'; reason: 'unsubscribed' | 'shutdown' };

/** The subscriber a stream reads, from its `open` event. */
export interface StreamOpened {
  id: string;
  subject: string;
}

/**
 * An open GET /api/stream, read as JSON lines: an async iterator over its messages. It connects at
 * once; `opened` resolves with the subscriber's id (for an ephemeral one, the id the broker made)
 * when the broker has started the stream, or rejects with its refusal. Iteration ends at the
 * broker's `close` event (`endReason`: `unsubscribed`, `shutdown`) or at `close()`; breaking out of
 * the loop, or the signal, closes the connection, and the broker removes an ephemeral subscriber.
 * The broker writes only as fast as this reads: a loop that awaits its work is the backpressure.
 */
export class MessageStream implements AsyncIterable<StreamedMessage> {
  /** Resolves once the stream is open, with its subscriber; rejects with the broker's refusal or the connection failure. */
  readonly opened: Promise<StreamOpened>;
  /** Why it ended, once it has. */
  endReason: StreamEndReason | undefined;
  private connection: TransportStream | undefined;
  private chunks: AsyncIterator<string> | undefined;
  /** Text read but not yet parsed (the part of a line that has not ended yet, and whole lines after it). */
  private text = '';
  /** Where the next line of `text` starts: a chunk of many lines is parsed without copying what is left of it each time. */
  private position = 0;
  private closedHere = false;
  private iterated = false;

  constructor(connect: () => Promise<TransportStream>) {
    this.opened = this.open(connect);
    // Whoever only iterates hears of a refusal there, not as an unhandled rejection.
    this.opened.catch(() => {});
  }

  /** The subscriber's id, once open. */
  get id(): string | undefined {
    return this.subscriber?.id;
  }

  private subscriber: StreamOpened | undefined;

  /** Closes the connection; a loop over the stream ends (without an error) at its next message. */
  close(): void {
    if (this.closedHere) return;
    this.closedHere = true;
    this.endReason ??= 'closed';
    this.connection?.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamedMessage> {
    if (this.iterated) throw new Error('a stream is iterated once: open another');
    this.iterated = true;
    try {
      await this.opened;
      for (;;) {
        const event = await this.nextEvent();
        if (event === undefined) return;
        if (event.event === 'message') {
          const { event: _event, ...message } = event;
          yield message;
        } else if (event.event === 'close') {
          this.endReason = event.reason;
          return;
        }
      }
    } finally {
      this.close();
    }
  }

  /**
   * Up to `max` messages: waits for the first, then takes those already received, without waiting
   * for more. [] once the stream has ended (see `endReason`). For batch readers (a consumer); a loop
   * of `for await` does the same one message at a time.
   */
  async read(max: number): Promise<StreamedMessage[]> {
    await this.opened;
    const messages: StreamedMessage[] = [];
    while (messages.length < max && this.endReason === undefined) {
      const event = messages.length === 0 ? await this.nextEvent() : this.bufferedEvent();
      if (event === undefined) {
        if (messages.length === 0) this.close();
        break;
      }
      if (event.event === 'message') {
        const { event: _event, ...message } = event;
        messages.push(message);
      } else if (event.event === 'close') {
        this.endReason = event.reason;
        this.close();
      }
    }
    return messages;
  }

  private async open(connect: () => Promise<TransportStream>): Promise<StreamOpened> {
    this.connection = await connect();
    if (this.closedHere) this.connection.close();
    this.chunks = this.connection.chunks![Symbol.asyncIterator]();
    const first = await this.nextEvent();
    if (first?.event !== 'open') {
      this.close();
      throw new GopherMQConnectionError(`the stream did not open: ${first === undefined ? 'it ended' : `its first event was ${first.event}`}`);
    }
    this.subscriber = { id: first.id, subject: first.subject };
    return this.subscriber;
  }

  /** The next event among those already received, or undefined when none has fully arrived. */
  private bufferedEvent(): StreamEvent | undefined {
    for (;;) {
      const end = this.text.indexOf('\n', this.position);
      if (end < 0) return undefined;
      const line = this.text.slice(this.position, end);
      this.position = end + 1;
      if (line.trim() !== '') return JSON.parse(line) as StreamEvent;
    }
  }

  /** The next event, or undefined once the stream has ended (closed by this side, or by the broker after its close event). */
  private async nextEvent(): Promise<StreamEvent | undefined> {
    for (;;) {
      const buffered = this.bufferedEvent();
      if (buffered !== undefined) return buffered;
      if (this.closedHere) return undefined;
      const read = await this.chunks!.next();
      if (read.done) {
        if (this.closedHere) return undefined;
        // The broker ends every stream with a close event: an end without one is a lost connection.
        throw new GopherMQConnectionError('no answer from the broker: the stream ended without its close event', { code: 'ECONNRESET' });
      }
      this.text = this.text.slice(this.position) + read.value;
      this.position = 0;
    }
  }
}
