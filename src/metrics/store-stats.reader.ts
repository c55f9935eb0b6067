import { Injectable } from '@nestjs/common';
import { BrokerService } from '../broker/broker.service.js';
import type { StoreStats } from '../broker/store/message-store.js';
import { GopherMqConfig } from '../config/gophermq-config.js';

/**
 * One read of the store's statistics shared by the gauges of a scrape, and by every scrape within
 * monitoring.store-stats-interval-ms of it: prom-client collects every metric of a scrape in the
 * same tick, so they all join the read in flight, and a scraper that asks many times a second (or
 * many scrapers) costs the store (Redis) one read per interval, whatever the scrape rate.
 */
@Injectable()
export class StoreStatsReader {
  private inFlight?: Promise<StoreStats>;
  private readonly intervalMs: number;
  /** When the last read ended (performance.now()); -Infinity before the first. */
  private readAt = -Infinity;
  /** Served while the store does not answer, so a scrape still shows the store's errors. */
  private last: StoreStats = {
    messagesHeld: 0, bytesHeld: 0, subscribers: 0, subjects: 0, oldestPendingAgeMs: 0,
    inFlight: 0, redelivered: 0, deadLettered: 0, deadLetterDropped: 0,
    retained: 0, retainedBytes: 0, retentionDropped: { age: 0, messages: 0, bytes: 0 }, patterns: 0,
  };

  constructor(
    private readonly broker: BrokerService,
    config: GopherMqConfig,
  ) {
    this.intervalMs = config.monitoring.storeStatsIntervalMs;
  }

  read(): Promise<StoreStats> {
    if (this.inFlight) return this.inFlight;
    if (performance.now() - this.readAt < this.intervalMs) return Promise.resolve(this.last);
    this.inFlight = Promise.resolve(this.broker.store.stats())
      .then((stats) => (this.last = stats), () => this.last)
      .finally(() => {
        this.inFlight = undefined;
        this.readAt = performance.now();
      });
    return this.inFlight;
  }
}
