import { Logger } from '@nestjs/common';
import calculateSlot from 'cluster-key-slot';
import { randomUUID } from 'node:crypto';
import type { RedisGuard } from './redis-guard.js';
import { globalBase, slotBase, subjectTag } from './redis-keys.js';
import type { RunScript } from './redis-scripts.js';

const SLOTS = 16384;
/** Expired leases, and slots not read for SLOT_CHECK_AGE_MS, one counts sweep reads at most. */
const LEASES_PER_SWEEP = 100;
const SLOTS_PER_SWEEP = 1000;
const SLOT_CHECK_AGE_MS = 10_000;
const SWEEP_INTERVAL_MS = 1000;

/** What an accounting script answered first: messages it trimmed, then (Cluster) its slot's counts. */
export type Accounted = number[];

/** A lease the broker-wide ledger granted for one slot (Cluster). */
export interface Lease {
  id: string;
  slot: number;
}

interface SlotCounts {
  slot: number;
  /** v, messages, bytes, subscribers, inflight, retained, retainedBytes, dropped for age, messages, bytes, oldest (lua/accounting.lua's SLOT_COUNTS). */
  values: number[];
}

/**
 * Where subjects are counted, so that the broker-wide counts never drift from what is stored
 * (docs/decisions.md, "Room that is never lost").
 *
 * On a single Redis every subject script changes the broker-wide ledger and indexes itself, in the
 * same atomic step as the subject: nothing to report, no round trip for reservations, and nothing
 * that a kill, a timeout or a refused write can leave behind ("inline").
 *
 * On a Redis Cluster the broker-wide keys are in another slot than the subject's, so:
 * - room that a script may add (messages, bytes, a subscriber, messages in flight) is reserved
 *   first in the broker-wide ledger, as a lease per slot, so the limits are never passed;
 * - each subject script keeps exact counts of its slot's subjects in a ledger of that slot, and
 *   answers them; they are reported to the broker-wide ledger in the background (the newest per
 *   slot wins, and the leases they include stop counting); the retention figures (retained
 *   messages and bytes, drops by reason) come the same way, summed over slots, and need no lease;
 * - a lease whose report never came (a call that timed out, an instance killed) expires: any
 *   instance then gives the lease up in its slot (a script still coming with it adds nothing) and
 *   reads the slot's counts, which then include all the lease ever added; and every slot's counts
 *   are read again every SLOT_CHECK_AGE_MS or so, which corrects a report of freed room that was lost.
 * So the broker-wide ledger may count more than is held for a while, never less.
 */
export class Accounting {
  readonly inline: boolean;
  private readonly logger = new Logger('RedisStore');
  private readonly global: string;
  private readonly leaseMs: number;
  private slotTags?: string[];
  private readonly pendingCounts = new Map<number, number[]>();
  private readonly pendingLeases = new Set<string>();
  private flushing = false;
  private flushScheduled = false;
  private sweepTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly prefix: string,
    cluster: boolean,
    commandTimeoutMs: number,
    private readonly run: RunScript,
    private readonly guard: RedisGuard,
  ) {
    this.inline = !cluster;
    this.global = globalBase(prefix);
    // Past the command timeout a script with the lease would have been answered 503 already.
    this.leaseMs = commandTimeoutMs + 1000;
  }

  /** The mode argument of a subject script: inline, or the lease it may add under ('l' alone: none). */
  mode(lease?: Lease): string {
    return this.inline ? 'i' : `l${lease?.id ?? ''}`;
  }

  /** Where `subject` is counted: the broker-wide base, or its slot's ledger. */
  baseOf(subject: string): string {
    return this.inline ? this.global : slotBase(this.prefix, this.tagOfSlot(calculateSlot(subjectTag(subject))));
  }

  slotOf(subject: string): number {
    return calculateSlot(subjectTag(subject));
  }

  /**
   * Cluster: room for messages of these subjects and sizes, in order; one lease per slot. Each grant
   * is '1', '0', or for a retained message that does not fit, 'p<messages>:<bytes>': the room left,
   * which its script completes with what its rule drops (lua/global-reserve.lua).
   */
  async reserveMessages(
    messages: ReadonlyArray<{ subject: string; bytes: number; retained: boolean }>,
    maxPending: number,
    maxBytes: number,
  ): Promise<{ granted: string[]; leaseOf: (subject: string) => Lease }> {
    const id = randomUUID();
    const args = messages.flatMap(({ subject, bytes, retained }) => [this.slotOf(subject), bytes, retained ? 'r' : '-']);
    const [granted] = (await this.run('gmqReserve', this.global, id, this.leaseMs, 'messages', maxPending, maxBytes, ...args)) as [string[]];
    return { granted, leaseOf: (subject) => ({ id: `${id}:${this.slotOf(subject)}`, slot: this.slotOf(subject) }) };
  }

  /** Cluster: room for one subscriber (and its subject listed for idle expiry), or undefined past maxSubscribers. */
  async reserveSubscriber(subject: string, maxSubscribers: number): Promise<Lease | undefined> {
    const id = randomUUID();
    const slot = this.slotOf(subject);
    const [granted] = (await this.run('gmqReserve', this.global, id, this.leaseMs, 'subscriber', maxSubscribers, slot, subject)) as [string];
    return granted === '1' ? { id: `${id}:${slot}`, slot } : undefined;
  }

  /** Cluster: room for up to `wanted` more messages in flight; how many were granted. */
  async reserveInFlight(subject: string, wanted: number, maxInFlight: number): Promise<{ granted: number; lease: Lease }> {
    const id = randomUUID();
    const slot = this.slotOf(subject);
    const [granted] = (await this.run('gmqReserve', this.global, id, this.leaseMs, 'inflight', maxInFlight, slot, wanted)) as [number];
    return { granted, lease: { id: `${id}:${slot}`, slot } };
  }

  /**
   * What a subject script answered first (`accounted`), and the lease it ran under: on a Cluster,
   * reported to the broker-wide ledger in the background. Returns the messages it trimmed.
   */
  settled(subject: string, accounted: Accounted | undefined, lease?: Lease): number {
    if (!accounted) return 0;
    if (!this.inline) {
      if (accounted.length > 1) this.noteCounts(this.slotOf(subject), accounted.slice(1));
      if (lease) this.pendingLeases.add(lease.id);
      if (accounted.length > 1 || lease) this.scheduleFlush();
    }
    return accounted[0] ?? 0;
  }

  /** Starts the counts sweep of a Cluster. */
  start(): void {
    if (this.inline || this.closed) return;
    this.sweepTimer = setTimeout(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.sweepTimer);
  }

  private noteCounts(slot: number, values: number[]): void {
    const known = this.pendingCounts.get(slot);
    if (!known || values[0] > known[0]) this.pendingCounts.set(slot, values);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** One report for all that was noted since the last: every slot's newest counts, and the leases they include. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing || (this.pendingCounts.size === 0 && this.pendingLeases.size === 0)) return;
    this.flushing = true;
    const counts = [...this.pendingCounts].map(([slot, values]) => ({ slot, values }));
    const leases = [...this.pendingLeases];
    this.pendingCounts.clear();
    this.pendingLeases.clear();
    try {
      await this.report(counts, leases);
    } catch (error) {
      // Kept, behind anything newer, for the next report; the sweep corrects what a dead instance loses.
      for (const { slot, values } of counts) this.noteCounts(slot, values);
      for (const lease of leases) this.pendingLeases.add(lease);
      this.guard.failed('report', error as Error);
      setTimeout(() => this.scheduleFlush(), SWEEP_INTERVAL_MS).unref();
    } finally {
      this.flushing = false;
      if (this.pendingCounts.size > 0 || this.pendingLeases.size > 0) this.scheduleFlush();
    }
  }

  private async report(counts: SlotCounts[], leases: string[]): Promise<void> {
    await this.run('gmqReport', this.global, counts.length, ...counts.flatMap(({ slot, values }) => [slot, ...values]), ...leases);
  }

  /** Cluster: leases whose report never came, and slots read longest ago, read from their slots. */
  private async sweep(): Promise<void> {
    try {
      const answer = (await this.run('gmqClaim', this.global, this.leaseMs, LEASES_PER_SWEEP, SLOTS_PER_SWEEP, SLOT_CHECK_AGE_MS)) as Array<number | string>;
      const leaseCount = answer[0] as number;
      const reads: Array<Promise<{ counts: SlotCounts; lease?: string } | undefined>> = [];
      const read = (slot: number, lease: string) =>
        (this.run('gmqSlotState', slotBase(this.prefix, this.tagOfSlot(slot)), lease) as Promise<number[]>).then(
          (values) => ({ counts: { slot, values }, lease: lease || undefined }),
          (error: Error) => {
            this.guard.failed('counts', error);
            return undefined;
          },
        );
      for (let i = 1; i < 1 + 2 * leaseCount; i += 2) reads.push(read(Number(answer[i + 1]), answer[i] as string));
      for (let i = 1 + 2 * leaseCount; i < answer.length; i++) reads.push(read(Number(answer[i]), ''));
      const done = (await Promise.all(reads)).filter((one) => one !== undefined);
      if (done.length > 0) {
        await this.report(
          done.map(({ counts }) => counts),
          done.flatMap(({ lease }) => (lease ? [lease] : [])),
        );
        if (leaseCount > 0) this.logger.debug(`${leaseCount} lease(s) of room whose report never came were settled from their slots`);
      }
    } catch (error) {
      this.guard.failed('counts', error as Error);
    } finally {
      if (!this.closed) this.sweepTimer = setTimeout(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
    }
  }

  /** A tag `~<k>` whose keys hash to `slot`: found once for all slots, on a Cluster only. */
  private tagOfSlot(slot: number): string {
    if (!this.slotTags) {
      const tags = new Array<string>(SLOTS);
      let left = SLOTS;
      for (let k = 0; left > 0; k++) {
        const tag = `~${k.toString(36)}`;
        const at = calculateSlot(tag);
        if (tags[at] === undefined) {
          tags[at] = tag;
          left -= 1;
        }
      }
      this.slotTags = tags;
    }
    return this.slotTags[slot];
  }
}
