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
 * order), and it removes them a chunk per turn of the event loop. Named subscribers are durable:
 * they have a sweep of their own, off unless broker.named-subscriber-idle-timeout is set.
 */
@Injectable()
export class SubscriberExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriberExpiryService.name);
  private readonly timers: NodeJS.Timeout[] = [];
  /** Per kind (unnamed, named): one sweep at a time. */
  private readonly sweeping = [false, false];
  private stopped = false;

  constructor(
    private readonly broker: BrokerService,
    private readonly config: GopherMqConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.start(this.config.broker.subscriberIdleTimeout * 1000, false);
    this.start(this.config.broker.namedSubscriberIdleTimeout * 1000, true);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
  }

  private start(timeoutMs: number, named: boolean): void {
    if (timeoutMs === 0) return;
    const intervalMs = Math.min(Math.max(timeoutMs / 10, 100), 60_000);
    this.timers.push(setInterval(() => void this.sweep(timeoutMs, named), intervalMs).unref());
  }

  /** One sweep of a kind at a time: a long one spans several ticks of the interval. */
  private async sweep(timeoutMs: number, named: boolean): Promise<void> {
    const kind = Number(named);
    if (this.sweeping[kind]) return;
    this.sweeping[kind] = true;
    let removed = 0;
    try {
      const idleSinceMs = Date.now() - timeoutMs;
      for (;;) {
        const chunk = await this.broker.expireIdle(idleSinceMs, EXPIRY_CHUNK, named);
        removed += chunk;
        if (chunk < EXPIRY_CHUNK || this.stopped) break;
        await nextTurn();
      }
    } catch (error) {
      this.logger.error(`idle ${named ? 'named ' : ''}subscriber sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping[kind] = false;
      if (removed > 0) this.logger.log(`removed ${removed} ${named ? 'named ' : ''}subscriber(s) idle for over ${timeoutMs / 1000} s`);
    }
  }
}
