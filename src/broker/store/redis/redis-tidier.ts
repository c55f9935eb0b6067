import type { Accounting } from './redis-accounting.js';
import type { RedisGuard } from './redis-guard.js';
import type { RunScript } from './redis-scripts.js';

/** As in subject.lua: most messages one script trims, and how long trimmed data stays readable. */
export const TRIM_BATCH = 1000;
const GRACE_MS = 5000;

/**
 * A script trims at most TRIM_BATCH messages, and trimmed data is deleted only GRACE_MS later (a
 * fetch on another instance may not have read it yet): a subject that trimmed is tidied in the
 * background until nothing is left to trim or delete, even if no request comes for it again, so
 * counts and Redis's memory come down. One timer per subject being tidied.
 */
export class RedisTidier {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly guard: RedisGuard,
  ) {}

  /** A script on `subject` trimmed this many messages. */
  trimmed(subject: string, messages: number): void {
    if (messages > 0) this.later(subject, messages >= TRIM_BATCH ? 0 : GRACE_MS + 500);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
  }

  private later(subject: string, delayMs: number): void {
    const pending = this.pending.get(subject);
    if (this.closed || (pending && delayMs > 0)) return;
    clearTimeout(pending);
    this.pending.set(subject, setTimeout(() => void this.tidy(subject), delayMs).unref());
  }

  private async tidy(subject: string): Promise<void> {
    this.pending.delete(subject);
    try {
      let dataLeft = 0;
      for (let more = true; more; ) {
        const [accounted, messages, deleted, left] = (await this.run('gmqTrim', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode())) as [number[], number, number, number];
        this.accounting.settled(subject, accounted);
        more = messages >= TRIM_BATCH || deleted >= 2 * TRIM_BATCH;
        dataLeft = left;
      }
      if (dataLeft > 0) this.later(subject, GRACE_MS + 500);
    } catch (error) {
      this.guard.failed('trim', error as Error);
      this.later(subject, GRACE_MS + 500);
    }
  }
}
