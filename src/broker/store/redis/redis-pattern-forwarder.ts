import { Logger } from '@nestjs/common';
import { BrokerError } from '../../broker.error.js';
import { jsonStringBytes } from '../json-string-bytes.js';
import type { StoreEvents, StoreLimits } from '../message-store.js';
import type { Accounting, Accounted, Lease } from './redis-accounting.js';
import type { RedisClient } from './redis-client.js';
import type { RedisPatterns } from './redis-patterns.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisTidier } from './redis-tidier.js';
import type { RedisWakeChannel } from './redis-wake-channel.js';

/** Most messages one forward step moves (each script then does a few hundred list operations at most). */
const FORWARD_BATCH = 250;
/** How often every (subject, pattern) pair is looked at, for the forwards an instance died before finishing. */
const SWEEP_MS = 1000;
/**
 * What a message of a pattern's log adds in `messages`: `{"subject":,"seq":…,"data":,"deliveries":…},`,
 * the memory store's DELIVERED_MESSAGE_OVERHEAD (48) and `"subject":` with its comma (11): both
 * stores cut an answer at the same message.
 */
const PATTERN_MESSAGE_OVERHEAD = 59;

/**
 * Wildcard subscriptions on Redis. A pattern's subscribers read a log of its own (an ordinary
 * subject log keyed by the pattern), so fetch, ack, names, dead letters and limits work as on any
 * log. A publish cannot append to it in the same script on a Cluster (another slot), so messages are
 * forwarded: each pattern a subject matches is a reader of the subject's log (pattern-attach.lua,
 * before the publish), which keeps what it has not forwarded; a forward step reads a batch from
 * that position (pattern-read.lua), writes its data into the pattern's keys, appends it to the
 * pattern's log once per source seq (pattern-append.lua), then moves the position past it
 * (pattern-advance.lua). An instance killed between two steps leaves the position behind: the
 * next forward (any instance's, the sweep's at the latest) does the step again, and the append
 * skips what it took. Forwards of one pair run one at a time on an instance.
 */
export class RedisPatternForwarder {
  private readonly logger = new Logger('RedisPatterns');
  /** Pairs being forwarded here: true when asked again meanwhile. */
  private readonly running = new Map<string, boolean>();
  /** Pairs that stopped at a full pattern log, by pattern: forwarded again when its subscribers fetch. */
  private readonly blocked = new Map<string, Set<string>>();
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  failures = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly wake: RedisWakeChannel,
    private readonly tidier: RedisTidier,
    private readonly limits: StoreLimits,
    private readonly patterns: RedisPatterns,
    private readonly events: () => StoreEvents | undefined,
  ) {}

  /**
   * Before a publish to `subject`: the patterns it matches become readers of its log (and the pattern
   * lists the subject, for the sweep). Sent ahead of the publish script on the same connection and slot.
   */
  attach(subject: string, patterns: readonly string[]): Promise<unknown> {
    const listed = patterns.map((pattern) => this.client.hsetnx(`${this.base(pattern)}:fw`, subject, '0'));
    const attached = this.run('gmqPatternAttach', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), subject, ...patterns).then((answer) => {
      this.accounting.settled(subject, (answer as [Accounted])[0]);
    });
    return Promise.all([attached, ...listed]);
  }

  /** After a publish to `subject` was stored: its messages on to the patterns' logs, in the background. */
  forward(subject: string, patterns: readonly string[]): void {
    for (const pattern of patterns) this.schedule(subject, pattern);
  }

  /** A pattern's subscriber fetched: the forwards that found its log full go on. */
  resume(pattern: string): void {
    const subjects = this.blocked.get(pattern);
    if (!subjects) return;
    this.blocked.delete(pattern);
    for (const subject of subjects) this.schedule(subject, pattern);
  }

  /**
   * A pattern without subscribers left the registry: it stops reading every subject it read, so they
   * keep nothing for it and answer a publish only it matched `subscriber not found` again.
   */
  async detachAll(pattern: string): Promise<void> {
    const sources = await this.client.hkeys(`${this.base(pattern)}:fw`);
    await Promise.all(
      sources.map(async (subject) => {
        const advanced = (await this.run('gmqPatternAdvance', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), pattern, 0, '1')) as [Accounted, number];
        this.tidier.trimmed(subject, this.accounting.settled(subject, advanced[0]));
      }),
    );
    this.blocked.delete(pattern);
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private schedule(subject: string, pattern: string): void {
    const key = `${subject}\n${pattern}`;
    if (this.running.has(key)) {
      this.running.set(key, true);
      return;
    }
    this.running.set(key, false);
    void this.loop(key, subject, pattern)
      .catch((error: unknown) => {
        this.failures += 1;
        this.logger.warn(`forwarding "${subject}" to "${pattern}" failed (the sweep tries again): ${(error as Error).message}`);
      })
      .finally(() => this.running.delete(key));
  }

  private async loop(key: string, subject: string, pattern: string): Promise<void> {
    do {
      this.running.set(key, false);
      while (await this.step(subject, pattern));
    } while (this.running.get(key));
  }

  /** One batch from the subject's log to the pattern's; true when there may be more. */
  private async step(subject: string, pattern: string): Promise<boolean> {
    const read = (await this.run('gmqPatternRead', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), pattern, FORWARD_BATCH)) as [Accounted, number, ...string[]];
    this.accounting.settled(subject, read[0]);
    const from = read[1];
    const entries = read.slice(2) as string[];
    if (from === -1 || entries.length === 0) return false;
    const parsed = entries.map(parseEntry);
    const values = (await this.client.hmget(`${this.base(subject)}:d`, ...parsed.map((entry) => entry.id))) as Array<string | null>;
    const subjectBytes = jsonStringBytes(subject, Buffer.byteLength(subject, 'utf8'));
    const fields: string[] = [];
    const args: Array<string | number> = [];
    const sizes: Array<{ subject: string; bytes: number; retained: boolean }> = [];
    parsed.forEach((entry, i) => {
      const data = values[i];
      if (data === null) return; // gone (a retention rule dropped it): nothing to forward
      const id = `${entry.id} ${subject}`;
      fields.push(id, data);
      // Its weight in a fetch answer: `data`, and its entry in `messages` with the subject.
      args.push(from + i, `${2 * entry.answerBytes + subjectBytes + PATTERN_MESSAGE_OVERHEAD}:${entry.bytes}:${entry.publishedMs}:${id}`, entry.bytes);
      sizes.push({ subject: pattern, bytes: entry.bytes, retained: false }); // a pattern's log has no retention rule
    });
    let lease: Lease | undefined;
    let grants: (n: number) => string = () => '1';
    if (!this.accounting.inline && sizes.length > 0) {
      const reserved = await this.accounting.reserveMessages(sizes, this.limits.maxPending, this.limits.maxPendingBytes);
      lease = reserved.leaseOf(pattern);
      grants = (n) => reserved.granted[n];
    }
    const withGrants: Array<string | number> = [];
    for (let n = 0; n < sizes.length; n++) withGrants.push(args[3 * n], args[3 * n + 1], args[3 * n + 2], grants(n));
    const patternBase = this.base(pattern);
    const [, appended] = await Promise.all([
      fields.length > 0 ? this.client.hset(`${patternBase}:d`, ...fields) : undefined,
      this.run(
        'gmqPatternAppend',
        patternBase,
        this.accounting.baseOf(pattern),
        this.accounting.mode(lease),
        this.limits.maxPendingPerSubject,
        this.limits.maxPendingBytesPerSubject,
        this.limits.maxPending,
        this.limits.maxPendingBytes,
        this.wake.channel,
        this.wake.publishedMessage(pattern),
        subject,
        ...withGrants,
      ),
    ]);
    const [accounted, outcome, last] = appended as [Accounted, string, number];
    this.accounting.settled(pattern, accounted, lease);
    if (outcome === 'lease') throw BrokerError.storeUnavailable();
    const gone = outcome === 'gone';
    // Past what it took (and what had no data); on 'full', from the first it had no room for.
    const next = gone ? 0 : outcome === 'ok' ? from + entries.length : Math.max(from, last + 1);
    const advanced = (await this.run('gmqPatternAdvance', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), pattern, next, gone ? '1' : '0')) as [Accounted, number];
    this.tidier.trimmed(subject, this.accounting.settled(subject, advanced[0]));
    if (gone) {
      await this.patterns.forgetIfUnused(pattern);
      return false;
    }
    if (last >= from) this.events()?.published(pattern);
    if (outcome === 'full') {
      const subjects = this.blocked.get(pattern) ?? new Set<string>();
      subjects.add(subject);
      this.blocked.set(pattern, subjects);
      return false;
    }
    return entries.length === FORWARD_BATCH;
  }

  /**
   * Every registered pattern's sources (the subjects it reads, listed at attach), forwarded: what an
   * instance killed mid-forward, or a full log, left behind goes on. At most one sweep at a time.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const pattern of this.patterns.all()) {
        const sources = await this.client.hkeys(`${this.base(pattern)}:fw`);
        for (const subject of sources) this.schedule(subject, pattern);
      }
    } catch {
      this.failures += 1;
    } finally {
      this.sweeping = false;
    }
  }
}

/** A log entry, "<answerBytes>:<bytes>:<publishedMs>:<message id>" (subject.lua). */
function parseEntry(entry: string): { answerBytes: number; bytes: number; publishedMs: number; id: string } {
  const [answerBytes, bytes, publishedMs] = entry.split(':', 3);
  const id = entry.slice(answerBytes.length + bytes.length + publishedMs.length + 3);
  return { answerBytes: Number(answerBytes), bytes: Number(bytes), publishedMs: Number(publishedMs), id };
}
