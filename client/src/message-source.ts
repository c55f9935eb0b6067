import type { GopherMQ } from './client.js';
import { GopherMQError } from './errors.js';
import type { MessageStream } from './message-stream.js';
import type { DeliveredMessage, FetchAnswer, Subscription } from './types.js';

/** A message as a consumer's handler gets it. */
export interface ConsumedMessage {
  subject: string;
  data: string;
  /** Its seq on the subject: for an acknowledged subscriber, and on a retained subject. */
  seq?: number;
  /** For an acknowledged subscriber: 1 on the first delivery, 2 on the first redelivery, … */
  deliveries?: number;
  /** On a retained subject: when it was published (RFC 3339). */
  time?: string;
}

/** What one poll of a source answered. */
export interface SourceBatch {
  messages: ConsumedMessage[];
  /** More are pending now: the consumer may poll again at once, several polls overlapping. */
  more: boolean;
  /**
   * With acks carried (`carriesAcks`): how many of them were in flight and are now acked. Absent
   * although acks were given: they were not taken (a broker from before acks on fetch ignores the
   * field), and the consumer sends them, and every later ack, in ack requests.
   */
  acked?: number;
}

/**
 * Where a consumer's messages come from: long-polled fetches (`FetchSource`, the default) or the
 * subscriber's event stream (`StreamSource`); the consumer's ack, nack, extend, concurrency and stop
 * are the same for both.
 */
export interface MessageSource {
  /**
   * Up to `max` messages of the subscriber; with `wait`, waiting a while when none is pending
   * ([] when the wait ended with none). Rejects with the signal's reason once it is aborted, or with
   * the broker's error (a 404 when the subscriber is gone). `ack`: seqs to acknowledge in the same
   * request, before taking (given only to a source that `carriesAcks`, at most 1000); after a
   * rejection they may or may not be acked, and the consumer sends them again (an ack is idempotent).
   */
  next(subscription: Subscription, max: number, signal: AbortSignal, wait: boolean, ack?: readonly number[]): Promise<SourceBatch>;
  /** False: one `next` at a time (a stream has one reader). */
  readonly parallel?: boolean;
  /** True: `next` acks the seqs it is given (a fetch with `ack`), so an acknowledged consumer sends one request per batch, not two. */
  readonly carriesAcks?: boolean;
}

/**
 * Polls `POST /api/fetch`, with `waitMs` when told to wait, carrying the acks of handled messages
 * (`ack`), asking for the lean answer (`lean`: an acknowledged subscriber's seqs and delivery counts
 * beside `data`, each message's data sent once); a broker from before `lean` answers `messages`, read as well.
 */
export class FetchSource implements MessageSource {
  readonly carriesAcks = true;

  constructor(
    private readonly client: GopherMQ,
    private readonly waitMs: number,
  ) {}

  async next(subscription: Subscription, max: number, signal: AbortSignal, wait: boolean, ack?: readonly number[]): Promise<SourceBatch> {
    const carried = ack !== undefined && ack.length > 0 ? ack : undefined;
    const answer = await this.client.fetch(subscription, { max, waitMs: wait ? this.waitMs : 0, ack: carried, lean: true, signal, retry: false });
    return { messages: consumedOf(answer), more: answer.remaining > 0, acked: answer.acked };
  }
}

/** A fetch's messages as a handler gets them, from either form of the answer: `messages`, or the lean arrays beside `data`. */
export function consumedOf({ subject, data, messages, seqs, deliveries, times, subjects }: FetchAnswer): ConsumedMessage[] {
  if (messages !== undefined) return messages.map((message: DeliveredMessage) => ({ subject, ...message }));
  if (seqs === undefined) return data.map((text) => ({ subject, data: text }));
  return data.map((text, i) => {
    const message: ConsumedMessage = { subject: subjects?.[i] ?? subject, seq: seqs[i], data: text };
    if (deliveries !== undefined) message.deliveries = deliveries[i];
    if (times !== undefined) message.time = times[i];
    return message;
  });
}

/**
 * Reads the subscriber's stream (GET /api/stream with its id), opened at the first `next` and again
 * after it broke; `maxInFlight` is the room of that first call, so the broker never has more of an
 * acknowledged subscriber's messages out than the consumer can hold.
 */
export class StreamSource implements MessageSource {
  readonly parallel = false;
  private stream: MessageStream | undefined;
  private subscription: Subscription | undefined;

  constructor(private readonly client: GopherMQ) {}

  async next(subscription: Subscription, max: number, signal: AbortSignal): Promise<SourceBatch> {
    if (this.stream === undefined || this.subscription !== subscription) {
      this.stream?.close();
      this.subscription = subscription;
      const maxInFlight = subscription.ackWaitMs === undefined ? undefined : Math.min(10_000, Math.max(1, max));
      this.stream = this.client.stream(subscription.subject, { id: subscription.id, maxInFlight, signal, retry: false });
    }
    const stream = this.stream;
    try {
      await stream.opened;
      const messages = await stream.read(max);
      if (messages.length > 0) return { messages, more: false };
    } catch (error) {
      this.stream = undefined;
      stream.close();
      throw error;
    }
    this.stream = undefined;
    // The broker ended it: the subscriber is gone (a named one is subscribed again), or it stops.
    if (stream.endReason === 'unsubscribed') throw new GopherMQError(404, 'bad id');
    throw new GopherMQError(503, 'the stream ended: the broker is shutting down', { retryAfter: 1 });
  }
}
