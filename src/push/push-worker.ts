import { Logger } from '@nestjs/common';
import { BrokerError, BrokerErrorCode } from '../broker/broker.error.js';
import type { BrokerService } from '../broker/broker.service.js';
import type { DeliveredMessage } from '../broker/store/message-store.js';
import type { PushSubscription } from '../broker/store/push/push-registry.js';
import { LAST_RETRY_MS, retryDelayMs } from './push-backoff.js';
import type { PushClient } from './push-client.js';
import type { PushObserver } from './push-outcome.js';
import { Wakeup } from './wakeup.js';

/** Longest a worker's fetch waits for a message before it looks again (a parked fetch keeps the subscriber active). */
export const PUSH_FETCH_WAIT_MS = 25_000;
/** Longest a `Retry-After` pauses all pushes of a subscriber (the message itself waits the whole of it, up to an hour). */
export const MAX_PAUSE_MS = 60_000;

/** What a worker needs of the push service. */
export interface PushWorkerHost {
  readonly broker: BrokerService;
  readonly client: PushClient;
  readonly observer: PushObserver | undefined;
  /** The subscriber no longer exists (unsubscribed, expired): forget it. */
  gone(worker: PushWorker): void;
}

/**
 * Pushes one subscriber's messages from this instance: takes them as an acknowledged fetch does (in
 * flight with a deadline, so on a shared store each is pushed by one instance at a time, and one
 * that dies leaves them to another after the deadline), POSTs each, acks on 2xx, nacks with a delay
 * otherwise. At most `concurrency` requests are in flight from here, and the store bounds messages
 * taken and not yet settled to the same over every instance (maxAckPending = concurrency).
 *
 * Memory, per subscriber: this object and its few fields (well under 1 KiB), one parked fetch while
 * idle, and per message held its data and request body (about twice its size) plus undici's state of
 * one request; no timer or closure per message (deliver() is a method; acks are written in batches).
 */
export class PushWorker {
  private readonly logger = new Logger('Push');
  /** Requests in flight (acks not yet written are bounded by the store: maxAckPending = concurrency). */
  private holding = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly wakeup = new Wakeup();
  private pausedUntilMs = 0;
  private acks: number[] = [];
  private writingAcks = false;
  private readonly writeAcksSoon = (): void => void this.writeAcks();
  private lastErrorLogMs = 0;

  constructor(
    readonly subscription: PushSubscription,
    private readonly host: PushWorkerHost,
  ) {}

  get key(): string {
    return keyOf(this.subscription.subject, this.subscription.id);
  }

  /** The loop; resolves once stopped or the subscriber is gone. Never rejects. */
  async run(): Promise<void> {
    const { subject, id, push } = this.subscription;
    const { broker } = this.host;
    let failures = 0;
    while (!this.stopped && !broker.isClosing) {
      const room = push.concurrency - this.holding;
      if (room <= 0) {
        await this.wakeup.wait();
        continue;
      }
      const pauseMs = this.pausedUntilMs - Date.now();
      if (pauseMs > 0) {
        await this.wakeup.wait(pauseMs);
        continue;
      }
      let messages: DeliveredMessage[];
      try {
        const taken = await broker.fetch(subject, id, { max: room, waitMs: PUSH_FETCH_WAIT_MS, signal: this.abort.signal });
        messages = taken.messages ?? [];
        failures = 0;
      } catch (error) {
        if (error instanceof BrokerError && (error.code === BrokerErrorCode.BadId || error.code === BrokerErrorCode.NotAcknowledged)) {
          this.stop();
          this.host.gone(this);
          return;
        }
        failures += 1;
        this.logFailure(`fetch failed (${(error as Error).message}); retrying`);
        await this.wakeup.wait(Math.min(1000 * 2 ** Math.min(failures - 1, 6), LAST_RETRY_MS));
        continue;
      }
      for (const message of messages) void this.deliver(message);
    }
  }

  /** No new pushes; requests in flight finish (a 2xx is still acked; a failure is left to its deadline). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wakeup.notify();
  }

  /** One message: POST, then ack (batched) or nack with its retry delay. Never rejects. */
  private async deliver(message: DeliveredMessage): Promise<void> {
    this.holding += 1;
    const { subject, id, push } = this.subscription;
    const deliveries = message.deliveries ?? 1;
    // A pattern subscriber's message names the subject it was published to.
    const body = JSON.stringify({ subject: message.subject ?? subject, seq: message.seq, data: message.data, deliveries, id });
    const started = performance.now();
    const answer = await this.host.client.post(push.url, body);
    this.host.observer?.pushed(answer.outcome, (performance.now() - started) / 1000);
    if (answer.outcome === '2xx') {
      this.acks.push(message.seq);
      if (!this.writingAcks) {
        this.writingAcks = true;
        setImmediate(this.writeAcksSoon);
      }
      // Its slot is free now: the store still counts it in flight until the ack is written, so a
      // take meanwhile gets no more than maxAckPending allows, and the ack wakes it.
      this.release(1);
      return;
    }
    if (!this.stopped) {
      if (answer.retryAfterMs !== undefined) this.pausedUntilMs = Math.max(this.pausedUntilMs, Date.now() + Math.min(answer.retryAfterMs, MAX_PAUSE_MS));
      try {
        await this.host.broker.nack(subject, id, [message.seq], retryDelayMs(deliveries, answer.retryAfterMs));
      } catch (error) {
        this.settleFailed('nack', error);
      }
    }
    this.release(1);
  }

  /** The acks gathered since the last write, in one call; one write at a time. */
  private async writeAcks(): Promise<void> {
    const seqs = this.acks;
    this.acks = [];
    try {
      await this.host.broker.ack(this.subscription.subject, this.subscription.id, seqs);
    } catch (error) {
      this.settleFailed('ack', error);
    }
    if (this.acks.length > 0) setImmediate(this.writeAcksSoon);
    else this.writingAcks = false;
  }

  private release(count: number): void {
    this.holding -= count;
    this.wakeup.notify();
  }

  /** An ack or nack that failed: the messages come back after their deadline (at least once). Gone subscribers are expected. */
  private settleFailed(operation: string, error: unknown): void {
    if (error instanceof BrokerError && error.code === BrokerErrorCode.BadId) return;
    this.logFailure(`${operation} failed (${(error as Error).message}); the messages are pushed again after their deadline`);
  }

  private logFailure(text: string): void {
    const now = Date.now();
    if (now - this.lastErrorLogMs < 10_000) return;
    this.lastErrorLogMs = now;
    this.logger.warn(`push subscriber ${this.subscription.id} of "${this.subscription.subject}": ${text}`);
  }
}

/** Subjects hold no space: subject and id joined by one name one subscriber. */
export function keyOf(subject: string, id: string): string {
  return `${subject} ${id}`;
}
