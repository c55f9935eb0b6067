import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { BrokerService } from './broker.service.js';

/**
 * Subscribers removed per turn of the event loop. Removing one costs the same whatever it held, a
 * few microseconds, so a chunk stays well under a millisecond and requests are served in between.
 */
export const EXPIRY_CHUNK = 500;

/**
 * Removes subscribers that stopped fetching, so an abandoned one cannot fill the broker. Runs in
 * the background; a sweep costs only the subscribers it removes (the store keeps them in activity
 * order), and it removes them a chunk per turn of the event loop.
 */
@Injectable()
export class SubscriberExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriberExpiryService.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private stopped = false;

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
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One sweep at a time: a long one spans several ticks of the interval. */
  private async sweep(timeoutMs: number): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    let removed = 0;
    try {
      const idleSinceMs = Date.now() - timeoutMs;
      for (;;) {
        const chunk = await this.broker.expireIdle(idleSinceMs, EXPIRY_CHUNK);
        removed += chunk;
        if (chunk < EXPIRY_CHUNK || this.stopped) break;
        await nextTurn();
      }
    } catch (error) {
      this.logger.error(`idle subscriber sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
      if (removed > 0) this.logger.log(`removed ${removed} subscriber(s) idle for over ${timeoutMs / 1000} s`);
    }
  }
}
