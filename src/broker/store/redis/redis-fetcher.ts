import { BrokerError } from '../../broker.error.js';
import { isoTime } from '../iso-time.js';
import { isPattern } from '../../subject-tree.js';
import { isReplayLog } from '../../pattern-replay.js';
import type { DeliveredMessage, FetchedMessages, StoreLimits, TakeOptions } from '../message-store.js';
import type { RedisAcknowledgements } from './redis-acknowledgements.js';
import { ACK_SCRIPT_BATCH } from './redis-acknowledgements.js';
import type { Accounting, Lease } from './redis-accounting.js';
import type { RunScript } from './redis-scripts.js';
import type { RedisTidier } from './redis-tidier.js';

/**
 * Most messages one fetch script takes for an at-most-once subscriber (Redis spends about 4 µs of
 * CPU on each), or for an acknowledged one ACK_SCRIPT_BATCH (10-15 µs each): a few milliseconds at
 * most, so no script holds Redis, and every instance waiting on it, for long.
 */
const FETCH_BATCH = 1000;

/** One fetch script's answer, read. */
interface Batch {
  /** -1: no such subscriber; -2: its lease was given up (Cluster). */
  remaining: number;
  dueHint: number;
  /** -1 for an at-most-once subscriber. */
  redelivered: number;
  used: number;
  /** A retained subject: every answer carries messages, with their publish time. */
  retained: boolean;
  ids: string[];
  seqs: number[];
  deliveries: number[];
  times: number[];
}

/**
 * Fetches on the Redis store: a script per batch hands out message ids (the budget and `max`
 * spanning the batches), and each batch's data is read by HMGET as soon as its script answers.
 */
export class RedisFetcher {
  constructor(
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly acks: RedisAcknowledgements,
    private readonly tidier: RedisTidier,
    private readonly readData: (subject: string, ids: string[]) => Promise<Array<string | null>>,
    private readonly limits: StoreLimits,
  ) {}

  async fetch(subject: string, id: string, max: number, waitMs: number, maxBytes: number, options: TakeOptions = {}): Promise<FetchedMessages | undefined> {
    // 0: the subscriber's own maxAckPending bounds what it has in flight.
    const ownInFlight = options.maxInFlight ?? 0;
    const ids: string[] = [];
    const seqs: number[] = [];
    const deliveries: number[] = [];
    const times: number[] = [];
    let retained = false;
    const sideCalls: Array<Promise<unknown> | undefined> = [];
    const reads: Array<Promise<Array<string | null>>> = [];
    let taken = 0;
    let budget = maxBytes;
    let remaining = 0;
    let acknowledged = false;
    let answered = false;
    // Room in flight: on a single Redis the script checks broker.max-in-flight itself; on a Cluster
    // an acknowledged subscriber's fetch takes only what a lease granted (none until it asks).
    let lease: Lease | undefined;
    let inFlightRoom = this.accounting.inline ? this.limits.maxInFlight : 0;
    for (;;) {
      // Until the first answer says, the subscriber may be acknowledged: the smaller batch.
      const want = Math.min(max - taken, !answered || acknowledged ? ACK_SCRIPT_BATCH : FETCH_BATCH);
      const batch = await this.batch(subject, id, want, budget, taken === 0, answered ? 0 : waitMs, inFlightRoom, ownInFlight, options.lean === true, lease);
      if (batch.remaining === -2) throw BrokerError.storeUnavailable();
      if (batch.remaining === -1) {
        if (!answered) return undefined;
        break; // unsubscribed meanwhile: what it took is its answer
      }
      answered = true;
      acknowledged = batch.redelivered >= 0;
      retained = batch.retained;
      remaining = batch.remaining;
      budget -= batch.used;
      taken += batch.ids.length;
      if (acknowledged) {
        this.acks.redelivered += batch.redelivered;
        sideCalls.push(this.acks.lowerDue(subject, batch.dueHint));
        if (lease) inFlightRoom -= batch.ids.length;
      }
      ids.push(...batch.ids);
      seqs.push(...batch.seqs);
      deliveries.push(...batch.deliveries);
      times.push(...batch.times);
      // Each batch's data is read at once, sent with the next script: however long the whole
      // fetch takes, no batch waits past the grace that keeps trimmed data readable.
      reads.push(this.readData(subject, batch.ids));
      if (taken >= max) break;
      if (acknowledged && !this.accounting.inline && !lease && batch.ids.length === 0 && remaining > 0) {
        // Cluster: room in flight, from the broker-wide ledger, then the fetch goes on.
        const reserved = await this.accounting.reserveInFlight(subject, Math.min(max - taken, remaining), this.limits.maxInFlight);
        lease = reserved.lease;
        inFlightRoom = reserved.granted;
        if (inFlightRoom === 0) {
          this.accounting.settled(subject, [0], lease);
          break;
        }
        continue;
      }
      if (batch.ids.length < want) break;
    }
    if (lease) this.accounting.settled(subject, [0], lease);
    const [values] = await Promise.all([Promise.all(reads).then((batches) => batches.flat()), ...sideCalls]);
    // A pattern's log (wildcard subscription): its ids are '<message id> <subject>', and every answer carries messages.
    const pattern = ids.length > 0 && ids[0].includes(' ');
    const patternLog = pattern || isPattern(subject) || isReplayLog(subject);
    const withMessages = acknowledged || retained || patternLog || options.withSeqs === true;
    if (options.lean && withMessages) return leanAnswer(values, remaining, ids, seqs, acknowledged && deliveries, retained && times, patternLog);
    const data: string[] = [];
    const messages: DeliveredMessage[] = [];
    values.forEach((value, n) => {
      if (value === null) return;
      data.push(value);
      if (pattern) {
        const subject = ids[n].slice(ids[n].indexOf(' ') + 1);
        messages.push(acknowledged ? { subject, seq: seqs[n], data: value, deliveries: deliveries[n] } : { subject, seq: seqs[n], data: value });
      } else if (retained) {
        const time = isoTime(times[n]);
        messages.push(acknowledged ? { seq: seqs[n], data: value, time, deliveries: deliveries[n] } : { seq: seqs[n], data: value, time });
      } else if (acknowledged) messages.push({ seq: seqs[n], data: value, deliveries: deliveries[n] });
      else if (options.withSeqs) messages.push({ seq: seqs[n], data: value });
    });
    return withMessages ? { data, remaining, messages } : { data, remaining };
  }

  private async batch(subject: string, id: string, want: number, budget: number, atLeastOne: boolean, waitMs: number, inFlightRoom: number, ownInFlight: number, lean: boolean, lease?: Lease): Promise<Batch> {
    const answer = (await this.run(
      'gmqFetch',
      this.base(subject),
      this.accounting.baseOf(subject),
      this.accounting.mode(lease),
      id,
      want,
      budget,
      waitMs,
      atLeastOne ? 1 : 0,
      inFlightRoom,
      subject,
      ownInFlight,
      lean ? 1 : 0,
    )) as [number[], ...Array<number | string>];
    const [accounted, remaining, dueHint, redelivered, used, retained] = answer as unknown as [number[], number, number, number, number, number];
    // The lease is reported once the fetch is done, with what its scripts counted.
    this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
    const ids: string[] = [];
    const seqs: number[] = [];
    const deliveries: number[] = [];
    const times: number[] = [];
    for (let i = 6; i < answer.length; i += 4) {
      ids.push(answer[i] as string);
      seqs.push(answer[i + 1] as number);
      deliveries.push(answer[i + 2] as number);
      times.push(answer[i + 3] as number);
    }
    return { remaining, dueHint, redelivered, used, retained: retained === 1, ids, seqs, deliveries, times };
  }
}

/**
 * The lean answer (TakeOptions.lean) of the messages read: `seqs` beside `data`, and `deliveries`,
 * `times` and `subjects` when given. A message whose data is gone (trimmed meanwhile) is left out of each.
 */
function leanAnswer(values: ReadonlyArray<string | null>, remaining: number, ids: string[], seqs: number[], deliveries: number[] | false, times: number[] | false, pattern: boolean): FetchedMessages {
  const data: string[] = [];
  const taken: FetchedMessages = { data, remaining, seqs: [] };
  if (deliveries) taken.deliveries = [];
  if (times) taken.times = [];
  if (pattern) taken.subjects = [];
  for (let n = 0; n < values.length; n++) {
    const value = values[n];
    if (value === null) continue;
    data.push(value);
    taken.seqs!.push(seqs[n]);
    if (deliveries) taken.deliveries!.push(deliveries[n]);
    if (times) taken.times!.push(isoTime(times[n]));
    if (pattern) taken.subjects!.push(ids[n].slice(ids[n].indexOf(' ') + 1));
  }
  return taken;
}
