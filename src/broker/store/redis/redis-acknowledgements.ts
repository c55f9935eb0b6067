import { Logger } from '@nestjs/common';
import type { SettleOutcome, StoreEvents, StoreObserver } from '../message-store.js';
import type { Accounting } from './redis-accounting.js';
import type { RedisGuard } from './redis-guard.js';
import type { RedisIndexes } from './redis-indexes.js';
import type { RedisPublisher } from './redis-publisher.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisTidier } from './redis-tidier.js';
import type { RedisWakeChannel } from './redis-wake-channel.js';

/** Seqs one settle script handles, and messages one redelivery script handles. */
export const ACK_SCRIPT_BATCH = 250;
/** Longest wait between two looks at the redelivery index, for deadlines set by other instances. */
const DUE_POLL_MS = 1000;
/** Subjects one look at the redelivery index takes. */
const DUE_SUBJECTS = 100;

type Settle = 'ack' | 'nack' | 'extend' | 'settle';

/** A message a script found delivered maxDeliveries times, for the caller to hand on. */
interface Exhausted {
  seq: number;
  messageId: string;
  /** The subscriber's dead-letter subject, '' for none. */
  target: string;
}

/** Redis's clock minus this process's, as last seen: deadlines and activity are on Redis's clock. */
export class RedisClock {
  offsetMs = 0;
}

/**
 * Acknowledged delivery on the Redis store: acks, nacks and extends; redeliveries and dead letters
 * when deadlines pass, whichever instance set them (the `due` index); totals of redeliveries and
 * dead letters done by this instance.
 */
export class RedisAcknowledgements {
  redelivered = 0;
  deadLettered = 0;
  deadLetterDropped = 0;
  private readonly logger = new Logger('RedisStore');
  private dueTimer?: NodeJS.Timeout;
  private dueAt = Infinity;
  private sweeping = false;
  private closed = false;
  private lastSkipLogMs = 0;

  constructor(
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly indexes: RedisIndexes,
    private readonly tidier: RedisTidier,
    private readonly wake: RedisWakeChannel,
    /** Publishes dead letters as any publish (to the patterns their subject matches too). */
    private readonly publisher: Pick<RedisPublisher, 'publish'>,
    private readonly readData: (subject: string, ids: string[]) => Promise<Array<string | null>>,
    private readonly guard: RedisGuard,
    private readonly clock: RedisClock,
    private readonly events: () => StoreEvents | undefined,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  start(): void {
    this.scheduleDue(Date.now());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.dueTimer);
  }

  async settle(op: Exclude<Settle, 'settle'>, subject: string, id: string, seqs: readonly number[], delayMs: number): Promise<SettleOutcome> {
    let count = 0;
    const exhausted: Exhausted[] = [];
    // A batch of seqs per script, so no script holds Redis long.
    for (let from = 0; from === 0 || from < seqs.length; from += ACK_SCRIPT_BATCH) {
      const answer = await this.settleBatch(op, subject, id, seqs.slice(from, from + ACK_SCRIPT_BATCH), delayMs);
      if (answer.settled === -1) {
        if (from === 0) return 'bad-id';
        break; // unsubscribed meanwhile
      }
      if (answer.settled === -2) return 'at-most-once';
      count += answer.settled;
      exhausted.push(...answer.exhausted);
    }
    if (exhausted.length > 0) await this.deadLetter(subject, id, exhausted);
    return count;
  }

  /** A request set an earlier redelivery on `subject` (Redis's clock): tell the index (Cluster), and look then. */
  lowerDue(subject: string, dueAtMs: number): Promise<unknown> | undefined {
    if (dueAtMs < 0) return undefined;
    this.scheduleDue(dueAtMs - this.clock.offsetMs);
    return this.indexes.lower('due', subject, dueAtMs);
  }

  private async settleBatch(op: Settle, subject: string, id: string, seqs: readonly number[], delayMs: number): Promise<{ settled: number; exhausted: Exhausted[] }> {
    const [accounted, settled, dueHint, ...rest] = (await this.run(
      'gmqSettle',
      this.base(subject),
      this.accounting.baseOf(subject),
      this.accounting.mode(),
      op,
      id,
      delayMs,
      subject,
      ...seqs,
      this.wake.channel,
    )) as [number[], number, number, ...Array<number | string>];
    this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
    await this.lowerDue(subject, dueHint);
    const exhausted: Exhausted[] = [];
    for (let i = 0; i < rest.length; i += 3) exhausted.push({ seq: rest[i] as number, messageId: rest[i + 1] as string, target: rest[i + 2] as string });
    return { settled, exhausted };
  }

  /**
   * Messages of one subscriber delivered maxDeliveries times: each published to the dead-letter
   * subject, then all settled. They stay in flight meanwhile, so an instance that dies in between
   * hands them on again later; and, as on the memory store, none frees its room before the last is
   * published. One read, one batch publish (in order), settles in batches.
   */
  private async deadLetter(subject: string, id: string, exhausted: Exhausted[]): Promise<void> {
    const values = await this.readData(subject, exhausted.map(({ messageId }) => messageId));
    const handedOn = exhausted.flatMap(({ target }, i) => (target !== '' && values[i] !== null ? [i] : []));
    const outcomes = await this.publisher.publish(handedOn.map((i) => ({ subject: exhausted[i].target, data: values[i]! })));
    const outcomeOf = new Map(handedOn.map((i, n) => [i, outcomes[n]]));
    const events = this.events();
    exhausted.forEach(({ target }, i) => {
      if (outcomeOf.get(i) === 'ok') {
        this.deadLettered += 1;
        events?.published(target);
      } else {
        this.deadLetterDropped += 1;
        events?.dropped?.(subject, target === '' ? undefined : target);
      }
    });
    for (let from = 0; from < exhausted.length; from += ACK_SCRIPT_BATCH) {
      await this.settleBatch('settle', subject, id, exhausted.slice(from, from + ACK_SCRIPT_BATCH).map(({ seq }) => seq), 0);
    }
  }

  private scheduleDue(atMs: number): void {
    if (this.closed || atMs >= this.dueAt) return;
    clearTimeout(this.dueTimer);
    this.dueAt = atMs;
    this.dueTimer = setTimeout(() => void this.sweepDue(), Math.max(0, atMs - Date.now())).unref();
  }

  /**
   * Redeliveries and dead letters of every subject due now, whichever instance set them. A subject
   * whose script fails is skipped (counted, logged, tried again later), so one bad subject cannot
   * stop the redeliveries of every other.
   */
  private async sweepDue(): Promise<void> {
    this.dueAt = Infinity;
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    let next = Date.now() + DUE_POLL_MS;
    try {
      const { now, entries } = await this.indexes.candidates('due', 'now', DUE_SUBJECTS);
      this.clock.offsetMs = now - Date.now();
      for (const { subject, version } of entries) {
        try {
          const subjectNext = await this.dueOf(subject);
          await this.indexes.raise('due', subject, version, subjectNext.next);
          if (subjectNext.more) next = Date.now();
          else if (subjectNext.next >= 0) next = Math.min(next, subjectNext.next - this.clock.offsetMs);
        } catch (error) {
          this.skipped(subject, error as Error);
          await this.indexes.retryLater('due', subject, version).catch(() => {});
        }
      }
      if (entries.length >= DUE_SUBJECTS) next = Date.now();
    } catch (error) {
      this.guard.failed('redelivery', error as Error);
    } finally {
      this.sweeping = false;
      this.scheduleDue(next);
    }
  }

  /** One subject's deadlines passed and delays over; when it is next due (-1: never), and whether more is due now. */
  private async dueOf(subject: string): Promise<{ next: number; more: boolean }> {
    const [accounted, subjectNext, handled, ...rest] = (await this.run(
      'gmqDue',
      this.base(subject),
      this.accounting.baseOf(subject),
      this.accounting.mode(),
      ACK_SCRIPT_BATCH,
      subject,
      this.wake.channel,
    )) as [number[], number, number, ...Array<number | string>];
    this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
    // The script lists each subscriber's exhausted messages together.
    const bySubscriber = new Map<string, Exhausted[]>();
    for (let j = 0; j < rest.length; j += 4) {
      const id = rest[j] as string;
      if (!bySubscriber.has(id)) bySubscriber.set(id, []);
      bySubscriber.get(id)!.push({ seq: rest[j + 1] as number, messageId: rest[j + 2] as string, target: rest[j + 3] as string });
    }
    for (const [id, exhausted] of bySubscriber) await this.deadLetter(subject, id, exhausted);
    return { next: subjectNext, more: handled >= ACK_SCRIPT_BATCH };
  }

  /** A subject whose script failed: counted, logged at most every 10 s; the sweep goes on without it. */
  private skipped(subject: string, error: Error): void {
    this.observer()?.sweepFailed?.('redelivery');
    const now = Date.now();
    if (now - this.lastSkipLogMs < 10_000) return;
    this.lastSkipLogMs = now;
    this.logger.warn(`redeliveries skipped subject "${subject}", to try again later: ${error.message}`);
  }
}
