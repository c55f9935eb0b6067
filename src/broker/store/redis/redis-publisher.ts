import { BrokerError } from '../../broker.error.js';
import { jsonStringBytes } from '../json-string-bytes.js';
import type { PublishOutcome, StoreLimits } from '../message-store.js';
import type { RetentionRules } from '../retention-rules.js';
import type { Accounting, Lease } from './redis-accounting.js';
import type { RedisClient } from './redis-client.js';
import type { RedisIndexes } from './redis-indexes.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisWakeChannel } from './redis-wake-channel.js';

/** Most messages one publish script takes (10-15 µs of Redis CPU each): larger runs take several. */
const PUBLISH_BATCH = 250;

interface Run {
  subject: string;
  /** Indexes into the batch, in publish order. */
  indexes: number[];
}

/** Publish requests that came in one turn of the event loop, sent together (a single Redis). */
interface Gathered {
  messages: Array<{ subject: string; data: string }>;
  callers: Array<{ from: number; count: number; resolve: (outcomes: PublishOutcome[]) => void; reject: (error: unknown) => void }>;
}

/**
 * Publishes on the Redis store. Each run of messages to one subject is one HSET of their data
 * and one script (the data never passes through Lua), sent together: auto-pipelining puts a whole
 * batch in one round trip. On a single Redis the scripts check the broker-wide limits themselves,
 * so runs are consecutive messages of a subject and run in the batch's order, each message as if
 * published on its own; and the publishes of one turn of the event loop (concurrent requests) go
 * as one batch: under load a publish then costs a share of two ioredis commands rather than two
 * (a quarter less broker CPU per publish, docs/benchmarks.md). They would have shared one
 * auto-pipeline anyway, so the wait is the same (a turn); a caller gets the outcomes of its own
 * messages, and fails only with the runs that hold them. On a Cluster the room is reserved first for the whole batch, in
 * order (accounting.ts), and a subject's messages go in one run per script batch.
 */
export class RedisPublisher {
  private serial = 0;
  private gathered?: Gathered;

  constructor(
    private readonly client: RedisClient,
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly wake: RedisWakeChannel,
    private readonly limits: StoreLimits,
    /** Tags this instance's message ids. */
    private readonly instance: string,
    private readonly rules: RetentionRules,
    private readonly indexes: RedisIndexes,
  ) {}

  async publish(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    if (messages.length === 0) return [];
    if (this.accounting.inline) return this.gather(messages);
    const sizes = messages.map(({ data }) => Buffer.byteLength(data, 'utf8'));
    const outcomes = new Array<Promise<PublishOutcome>>(messages.length);
    const { granted, leaseOf } = await this.accounting.reserveMessages(
      messages.map(({ subject }, i) => ({ subject, bytes: sizes[i], retained: this.rules.ruleOf(subject) !== undefined })),
      this.limits.maxPending,
      this.limits.maxPendingBytes,
    );
    for (const { subject, indexes } of runsBySubject(messages)) this.write(subject, indexes, messages, sizes, (i) => granted[i], outcomes, leaseOf(subject));
    return Promise.all(outcomes);
  }

  /** Single Redis: adds the messages to this turn's batch; their outcomes once it is answered. */
  private gather(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    let gathered = this.gathered;
    if (!gathered) {
      this.gathered = gathered = { messages: [], callers: [] };
      setImmediate(() => this.sendGathered());
    }
    const from = gathered.messages.length;
    for (const message of messages) gathered.messages.push(message);
    const callers = gathered.callers;
    return new Promise((resolve, reject) => callers.push({ from, count: messages.length, resolve, reject }));
  }

  private sendGathered(): void {
    const { messages, callers } = this.gathered!;
    this.gathered = undefined;
    const sizes = messages.map(({ data }) => Buffer.byteLength(data, 'utf8'));
    const outcomes = new Array<Promise<PublishOutcome>>(messages.length);
    try {
      for (const { subject, indexes } of consecutiveRuns(messages)) this.write(subject, indexes, messages, sizes, () => '1', outcomes);
    } catch (error) {
      // Runs sent before the failure answer nobody now: their outcomes must not go unhandled.
      for (const outcome of outcomes) outcome?.catch(() => {});
      for (const { reject } of callers) reject(error);
      return;
    }
    for (const { from, count, resolve, reject } of callers) Promise.all(outcomes.slice(from, from + count)).then(resolve, reject);
  }

  /** One run of a subject's messages: their data, then the script; fills in their outcomes. */
  private write(
    subject: string,
    indexes: number[],
    messages: ReadonlyArray<{ data: string }>,
    sizes: number[],
    /** The broker-wide ledger's grant of room to message i ('1', '0', 'p<messages>:<bytes>'; on a single Redis always '1': the script checks). */
    grantOf: (i: number) => string,
    outcomes: Array<Promise<PublishOutcome>>,
    lease?: Lease,
  ): void {
    const base = this.base(subject);
    const fields: string[] = [];
    const entries: Array<string | number> = [];
    const now = Date.now();
    const rule = this.rules.textOf(subject);
    for (const i of indexes) {
      const id = this.nextMessageId();
      const bytes = sizes[i];
      const grant = grantOf(i);
      // A retained subject's script may take a message the ledger granted less than it needs, with
      // room its rule drops: its data is written whatever the grant.
      if (grant === '1' || rule !== '') fields.push(id, messages[i].data);
      entries.push(`${jsonStringBytes(messages[i].data, bytes) + 1}:${bytes}:${now}:${id}`, bytes, id, grant);
    }
    const { maxPendingPerSubject, maxPendingBytesPerSubject, maxPending, maxPendingBytes } = this.limits;
    const written = Promise.all([
      fields.length > 0 ? this.client.hset(`${base}:d`, ...fields) : undefined,
      this.run(
        'gmqPublish',
        base,
        this.accounting.baseOf(subject),
        this.accounting.mode(lease),
        maxPendingPerSubject,
        maxPendingBytesPerSubject,
        maxPending,
        maxPendingBytes,
        this.wake.channel,
        this.wake.publishedMessage(subject),
        rule,
        subject,
        ...entries,
      ),
    ]).then(async ([, answer]) => {
      const [accounted, ...each] = answer as [number[], ...PublishOutcome[]];
      this.accounting.settled(subject, accounted, lease);
      if ((each[0] as string) === 'lease') throw BrokerError.storeUnavailable();
      // Cluster: a retained subject's first message lists it in the age index, and a log it made in the subjects'.
      for (const extra of each.slice(indexes.length) as string[]) {
        if (extra.startsWith('ret:')) await this.indexes.lower('ret', subject, Number(extra.slice(4)));
        else if (extra === 'made') await this.indexes.lower('subjects', subject, 0);
      }
      return each;
    }, (error: unknown) => {
      if (!isOutOfMemory(error)) throw error;
      // Redis at its maxmemory refused the data or the script, so nothing of the run is stored: the
      // broker is full (429), which a batch says per entry, and the client knows what to send again.
      // Data written before the script was refused goes (deletes are allowed out of memory).
      const dataIds = fields.filter((_, n) => n % 2 === 0);
      if (dataIds.length > 0) this.client.hdel(`${base}:d`, ...dataIds).catch(() => {});
      return indexes.map((): PublishOutcome => 'overflow');
    });
    indexes.forEach((i, n) => (outcomes[i] = written.then((each) => each[n])));
  }

  /** A message id, unique over instances: this instance's tag and a counter. */
  private nextMessageId(): string {
    return `${this.instance}${(++this.serial).toString(36)}`;
  }
}

/** Runs of consecutive messages to the same subject, at most PUBLISH_BATCH each. */
function consecutiveRuns(messages: ReadonlyArray<{ subject: string }>): Run[] {
  const runs: Run[] = [];
  messages.forEach(({ subject }, i) => {
    const last = runs[runs.length - 1];
    if (last?.subject === subject && last.indexes.length < PUBLISH_BATCH) last.indexes.push(i);
    else runs.push({ subject, indexes: [i] });
  });
  return runs;
}

/** Each subject's messages in order, at most PUBLISH_BATCH a run. */
function runsBySubject(messages: ReadonlyArray<{ subject: string }>): Run[] {
  const bySubject = new Map<string, number[]>();
  messages.forEach(({ subject }, i) => {
    const indexes = bySubject.get(subject);
    if (indexes) indexes.push(i);
    else bySubject.set(subject, [i]);
  });
  const runs: Run[] = [];
  for (const [subject, all] of bySubject) {
    for (let from = 0; from < all.length; from += PUBLISH_BATCH) runs.push({ subject, indexes: all.slice(from, from + PUBLISH_BATCH) });
  }
  return runs;
}

/** Redis's refusal of a write past its maxmemory (noeviction): `OOM command not allowed when used memory > 'maxmemory'`. */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('OOM ');
}
