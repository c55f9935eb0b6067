import { Logger } from '@nestjs/common';
import { BrokerError } from '../../broker.error.js';
import { newSubscriberId } from '../../subscriber-id.js';
import {
  DEFAULT_MAX_ACK_PENDING,
  type AckSettings,
  type DeliverPolicy,
  type StoreLimits,
  type StoreObserver,
  type SubscribeOptions,
  type SubscribeRefusal,
  type SubscriberInfo,
} from '../message-store.js';
import type { RetentionRules } from '../retention-rules.js';
import type { Accounting, Lease } from './redis-accounting.js';
import type { IndexName, RedisIndexes } from './redis-indexes.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisTidier } from './redis-tidier.js';
import type { RedisWakeChannel } from './redis-wake-channel.js';

/** Where a subscriber starts, as subject-subscribe.lua takes it (and keeps it, to compare a name's settings). */
export function deliverText(deliver: DeliverPolicy | undefined): string {
  if (deliver === undefined || deliver === 'new') return '';
  if (deliver === 'all' || deliver === 'last') return deliver;
  return 'fromSeq' in deliver ? `s:${deliver.fromSeq}` : `t:${deliver.fromTimeMs}`;
}

/** Subscribers one expiry script removes. */
const EXPIRE_BATCH = 100;

/** Subscribers on the Redis store: subscribe, unsubscribe, pending counts, idle expiry. */
export class RedisSubscribers {
  private readonly logger = new Logger('RedisStore');

  constructor(
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly indexes: RedisIndexes,
    private readonly tidier: RedisTidier,
    private readonly wake: RedisWakeChannel,
    private readonly limits: StoreLimits,
    private readonly observer: () => StoreObserver | undefined,
    private readonly rules: RetentionRules,
  ) {}

  /**
   * `id`: the id to give it (a replaying pattern subscriber's, pattern-replay.ts), whose own log
   * `subject` is: its `deliver` is kept as a setting there, its replay placed by the caller.
   */
  async subscribe(subject: string, ack?: AckSettings, { name, owner, deliver }: SubscribeOptions = {}, id?: string): Promise<SubscriberInfo | SubscribeRefusal | undefined> {
    const rule = id === undefined ? this.rules.textOf(subject) : '';
    if (deliver !== undefined && deliver !== 'new' && rule === '' && id === undefined) return 'not-retained';
    let lease: Lease | undefined;
    if (!this.accounting.inline) {
      // Also lists the subject for idle expiry: an entry early, never late.
      lease = await this.accounting.reserveSubscriber(subject, this.limits.maxSubscribers);
      // No room for a new one; the subscriber of an existing name may still answer.
      if (!lease && name === undefined) return undefined;
    }
    const settings = ack && { ...ack, maxAckPending: ack.maxAckPending ?? DEFAULT_MAX_ACK_PENDING };
    const [accounted, created, given] = (await this.run(
      'gmqSubscribe',
      this.base(subject),
      this.accounting.baseOf(subject),
      this.accounting.mode(lease),
      id ?? newSubscriberId(),
      settings?.ackWaitMs ?? '',
      settings?.maxDeliveries ?? '',
      settings?.deadLetterSubject ?? '',
      settings?.maxAckPending ?? '',
      this.limits.maxSubscribers,
      subject,
      name ?? '',
      owner ?? '',
      this.accounting.inline || lease ? '1' : '0',
      rule,
      deliverText(deliver),
    )) as [number[], number, string];
    this.accounting.settled(subject, accounted, lease);
    switch (created) {
      case -1:
        return undefined;
      case -2:
        throw BrokerError.storeUnavailable();
      case -3:
        return 'name-taken';
      case -4:
        return 'settings-differ';
    }
    if (created !== 2 && !this.accounting.inline) {
      // Cluster: listed again after the log exists, so a removal of the old log's entry cannot pass this one.
      if (created === 1) {
        await this.indexes.lower('idle', subject, 'now');
        await this.indexes.lower('subjects', subject, 0);
      }
      if (name !== undefined) await this.indexes.lower('named', subject, 'now');
    }
    const info: SubscriberInfo = settings ? { id: given, subject, ack: settings } : { id: given, subject };
    if (name !== undefined) info.name = name;
    return info;
  }

  async unsubscribe(subject: string, id: string): Promise<boolean> {
    const base = this.base(subject);
    const [accounted, removed, dropped] = (await this.run('gmqUnsubscribe', base, this.accounting.baseOf(subject), this.accounting.mode(), id, subject, this.wake.channel)) as [
      number[],
      number,
      number,
    ];
    this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
    if (removed === 0) return false;
    if (dropped > 0) {
      await this.indexes.unlist(subject, base);
      await this.indexes.unlistSubject(subject, base);
    }
    return true;
  }

  async pendingCount(subject: string, id: string): Promise<number | undefined> {
    const [accounted, pending] = (await this.run('gmqPending', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), id)) as [number[], number];
    this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
    return pending < 0 ? undefined : pending;
  }

  /**
   * Removes subscribers idle since before `idleSince` (Redis's clock), on whichever instance sweeps
   * first: each is removed by one script, once. A subscriber with a fetch waiting on any instance
   * counts as active. A subject whose script fails is skipped (counted, logged, tried again later).
   * Subscribers without a name, from the idle index; `named`: named ones, from their own index.
   */
  async expireIdle(idleSince: number, limit: number, named = false): Promise<SubscriberInfo[]> {
    const expired: SubscriberInfo[] = [];
    const index = named ? 'named' : 'idle';
    // An entry of the index may be early (its subscribers were active since): a page of such
    // subjects removes nobody, and fewer than `limit` must mean that none is left. So the next
    // page, until enough are removed, no candidate is left, or a page changes nothing.
    for (let moved = 1; expired.length < limit && moved > 0; ) {
      const { entries } = await this.indexes.candidates(index, idleSince - 1, limit);
      moved = 0;
      for (const { subject, version } of entries) {
        if (expired.length >= limit) break;
        try {
          moved += await this.expireSubject(index, subject, version, idleSince, limit - expired.length, expired);
        } catch (error) {
          this.skipped(subject, error as Error);
          await this.indexes.retryLater(index, subject, version);
          moved += 1;
        }
      }
      if (entries.length < limit) break;
    }
    return expired;
  }

  /** Expires up to `limit` idle subscribers of one subject; how many index entries and subscribers changed. */
  private async expireSubject(index: IndexName, subject: string, version: string, idleSince: number, limit: number, expired: SubscriberInfo[]): Promise<number> {
    const named = index === 'named' ? '1' : '';
    let earliest = -1;
    let moved = 0;
    // EXPIRE_BATCH subscribers per script, so no script holds Redis long.
    for (let full = true, left = limit; full && left > 0; ) {
      const batch = Math.min(left, EXPIRE_BATCH);
      const [accounted, subjectEarliest, dropped, ...ids] = (await this.run('gmqExpire', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), idleSince, batch, subject, named)) as [
        number[],
        number,
        number,
        ...string[],
      ];
      this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
      if (dropped > 0) await this.indexes.unlistSubject(subject, this.base(subject));
      for (const id of ids) expired.push({ id, subject });
      moved += ids.length;
      left -= ids.length;
      earliest = subjectEarliest;
      full = ids.length === batch;
    }
    return moved + (await this.indexes.raise(index, subject, version, earliest));
  }

  private lastSkipLogMs = 0;

  /** A subject whose script failed: counted, logged at most every 10 s; the sweep goes on without it. */
  private skipped(subject: string, error: Error): void {
    this.observer()?.sweepFailed?.('expiry');
    const now = Date.now();
    if (now - this.lastSkipLogMs < 10_000) return;
    this.lastSkipLogMs = now;
    this.logger.warn(`idle expiry skipped subject "${subject}", to try again later: ${error.message}`);
  }
}
