import type { GopherMQ } from './client.js';
import type { DeliveredMessage, Subscription } from './types.js';

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

/**
 * Where a consumer's messages come from. Long-polled fetches today; an event stream
 * (`GET /api/stream`) can take its place behind this interface, the consumer's ack, nack, extend,
 * concurrency and stop staying as they are.
 */
export interface MessageSource {
  /**
   * Up to `max` messages of the subscriber, waiting a while when none is pending: [] when the wait
   * ended with none. Rejects with the signal's reason once it is aborted, or with the broker's error.
   */
  next(subscription: Subscription, max: number, signal: AbortSignal): Promise<ConsumedMessage[]>;
}

/** Long-polls `POST /api/fetch` with `waitMs`. */
export class FetchSource implements MessageSource {
  constructor(
    private readonly client: GopherMQ,
    private readonly waitMs: number,
  ) {}

  async next(subscription: Subscription, max: number, signal: AbortSignal): Promise<ConsumedMessage[]> {
    const { subject, data, messages } = await this.client.fetch(subscription, { max, waitMs: this.waitMs, signal, retry: false });
    return messages === undefined ? data.map((text) => ({ subject, data: text })) : messages.map((message: DeliveredMessage) => ({ subject, ...message }));
  }
}
