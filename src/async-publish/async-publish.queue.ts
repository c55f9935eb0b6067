import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { BrokerError } from '../broker/broker.error.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { ASYNC_PUBLISH_EVENT, AsyncPublishEvent } from './async-publish.events.js';

/** Why a background publish failed, as counted in metrics. */
export type AsyncFailureReason = 'no_subscriber' | 'overflow' | 'error';

/**
 * Accepted async publishes not yet in the broker. Bounded: a full queue refuses new work with 429
 * instead of growing without limit. Shutdown waits until every accepted message is published.
 */
@Injectable()
export class AsyncPublishQueue implements OnApplicationShutdown {
  readonly capacity: number;
  readonly failures: Record<AsyncFailureReason, number> = { no_subscriber: 0, overflow: 0, error: 0 };
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(
    config: GopherMqConfig,
    private readonly events: EventEmitter2,
  ) {
    this.capacity = config.broker.asyncQueueCapacity;
  }

  /** Accepted messages the worker has not finished with. */
  get depth(): number {
    return this.inFlight;
  }

  accept(message: AsyncPublishEvent): void {
    if (this.inFlight >= this.capacity) throw BrokerError.asyncQueueFull();
    this.inFlight += 1;
    this.events.emit(ASYNC_PUBLISH_EVENT, message);
  }

  /** The worker is done with one message, published or failed. */
  settle(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Resolves once every accepted message has been handled. */
  drain(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Runs after the HTTP server stopped accepting, so nothing new arrives while we drain. */
  onApplicationShutdown(): Promise<void> {
    return this.drain();
  }
}
