import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { BrokerService } from './broker.service.js';

/**
 * Removes subscribers that stopped fetching, so an abandoned one cannot fill the broker. Runs in
 * the background; a sweep costs only the subscribers it removes (the store keeps them in activity
 * order).
 */
@Injectable()
export class SubscriberExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriberExpiryService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly broker: BrokerService,
    private readonly config: GopherMqConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timeoutMs = this.config.broker.subscriberIdleTimeout * 1000;
    if (timeoutMs === 0) return;
    const intervalMs = Math.min(Math.max(timeoutMs / 10, 100), 60_000);
    this.timer = setInterval(() => void this.sweep(timeoutMs), intervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(timeoutMs: number): Promise<void> {
    try {
      const removed = await this.broker.expireIdle(Date.now() - timeoutMs);
      if (removed > 0) this.logger.log(`removed ${removed} subscriber(s) idle for over ${timeoutMs / 1000} s`);
    } catch (error) {
      this.logger.error(`idle subscriber sweep failed: ${(error as Error).message}`);
    }
  }
}
