import { Logger } from '@nestjs/common';
import type { StoreObserver } from '../message-store.js';
import type { RetentionRules } from '../retention-rules.js';
import type { Accounting } from './redis-accounting.js';
import type { RedisGuard } from './redis-guard.js';
import type { RedisIndexes } from './redis-indexes.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisTidier } from './redis-tidier.js';

/** How often any instance looks at the age index; subjects one look takes. */
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_SUBJECTS = 100;

/**
 * The age sweep of retained subjects on the Redis store, on whichever instance looks first: the
 * `ret` index lists each retained subject with a max-age at or before its oldest message's expiry,
 * and each subject's call (lua/subject-retain.lua) drops at most TRIM_BATCH expired messages, so no
 * script holds Redis long; a subject with more goes on at once. A subject whose call fails is
 * skipped (counted, logged, tried again later), as in the other sweeps.
 */
export class RedisRetention {
  private readonly logger = new Logger('RedisStore');
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private closed = false;
  private lastSkipLogMs = 0;

  constructor(
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly indexes: RedisIndexes,
    private readonly tidier: RedisTidier,
    private readonly guard: RedisGuard,
    private readonly rules: RetentionRules,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  start(): void {
    if (this.rules.rules.some(({ maxAge }) => maxAge > 0)) this.schedule(SWEEP_INTERVAL_MS);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.sweep(), delayMs).unref();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    let again = SWEEP_INTERVAL_MS;
    try {
      const { entries } = await this.indexes.candidates('ret', 'now', SWEEP_SUBJECTS);
      for (const { subject, version } of entries) {
        try {
          const [accounted, next, more] = (await this.run('gmqRetain', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), subject)) as [number[], number, number];
          this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
          await this.indexes.raise('ret', subject, version, more === 1 ? 0 : Math.max(next, -1));
          if (next === -2) await this.indexes.unlistSubject(subject, this.base(subject));
          if (more === 1) again = 0;
        } catch (error) {
          this.skipped(subject, error as Error);
          await this.indexes.retryLater('ret', subject, version).catch(() => {});
        }
      }
      if (entries.length >= SWEEP_SUBJECTS) again = 0;
    } catch (error) {
      this.guard.failed('retention', error as Error);
    } finally {
      this.sweeping = false;
      this.schedule(again);
    }
  }

  private skipped(subject: string, error: Error): void {
    this.observer()?.sweepFailed?.('retention');
    const now = Date.now();
    if (now - this.lastSkipLogMs < 10_000) return;
    this.lastSkipLogMs = now;
    this.logger.warn(`retention sweep skipped subject "${subject}", to try again later: ${error.message}`);
  }
}
