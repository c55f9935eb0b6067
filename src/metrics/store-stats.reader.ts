import { Injectable } from '@nestjs/common';
import { BrokerService } from '../broker/broker.service.js';
import type { StoreStats } from '../broker/store/message-store.js';

/**
 * One read of the store's statistics shared by the gauges of a scrape. prom-client collects every
 * metric of a scrape in the same tick, so they all join the read in flight; a store backed by a
 * server is asked once per scrape, not once per gauge.
 */
@Injectable()
export class StoreStatsReader {
  private inFlight?: Promise<StoreStats>;
  /** Served while the store does not answer, so a scrape still shows the store's errors. */
  private last: StoreStats = {
    messagesHeld: 0, bytesHeld: 0, subscribers: 0, subjects: 0, oldestPendingAgeMs: 0,
    inFlight: 0, redelivered: 0, deadLettered: 0, deadLetterDropped: 0,
  };

  constructor(private readonly broker: BrokerService) {}

  read(): Promise<StoreStats> {
    if (!this.inFlight) {
      this.inFlight = Promise.resolve(this.broker.store.stats())
        .then((stats) => (this.last = stats), () => this.last)
        .finally(() => (this.inFlight = undefined));
    }
    return this.inFlight;
  }
}
