import type { AckSettings } from '../message-store.js';
import type { Page, PeekedMessage, StoreInspection, SubjectFigures, SubscriberFigures } from '../store-inspection.js';
import type { Accounting } from './redis-accounting.js';
import type { RedisIndexes } from './redis-indexes.js';
import type { RunScript } from './redis-scripts.js';
import { TRIM_BATCH, type RedisTidier } from './redis-tidier.js';

/**
 * StoreInspection on Redis. Subjects are listed from the broker-wide index G:subjects (global.lua) by
 * ZRANGE BYLEX, a page at a time, and each one's figures read by a script on its own keys (one
 * round trip for the page: auto-pipelining); subscribers from each subject's B:i the same way. No
 * script reads more than a page, and a purge goes in steps of bounded work (subject-purge.lua), so
 * none holds Redis more than about a millisecond.
 *
 * Subjects made by a build without G:subjects are not listed until their log is made again (the
 * README says a store written by an earlier build is not read: drain it, then a new key prefix).
 */
export class RedisInspection implements StoreInspection {
  constructor(
    private readonly run: RunScript,
    private readonly global: string,
    private readonly base: (subject: string) => string,
    private readonly accounting: Accounting,
    private readonly indexes: RedisIndexes,
    private readonly tidier: RedisTidier,
    private readonly readData: (subject: string, ids: string[]) => Promise<Array<string | null>>,
  ) {}

  async listSubjects(prefix: string, after: string | undefined, limit: number): Promise<Page<SubjectFigures>> {
    const names = (await this.run('gmqSubjects', this.global, prefix, after ?? '', limit + 1)) as string[];
    const page = names.slice(0, limit);
    const figures = await Promise.all(page.map((subject) => this.subjectFigures(subject)));
    const items = figures.filter((one): one is SubjectFigures => one !== undefined);
    // Cluster: an entry whose log is gone (its removal never came) goes now.
    page.forEach((subject, i) => {
      if (figures[i] === undefined) void this.indexes.unlistSubject(subject, this.base(subject)).catch(() => {});
    });
    return names.length > limit ? { items, next: page[page.length - 1] } : { items };
  }

  async subjectFigures(subject: string): Promise<SubjectFigures | undefined> {
    const [exists, subscribers, pending, pendingBytes, inFlight, retained] = (await this.call('gmqFigures', subject)) as number[];
    return exists === 1 ? { subject, subscribers, pending, pendingBytes, inFlight, retained } : undefined;
  }

  async listSubscribers(subject: string, after: string | undefined, limit: number): Promise<Page<SubscriberFigures> | undefined> {
    const [exists, more, ...rest] = (await this.call('gmqSubscribers', subject, after ?? '', limit)) as Array<string | number>;
    if (exists !== 1) return undefined;
    const items: SubscriberFigures[] = [];
    for (let i = 0; i < rest.length; i += 9) {
      const [id, name, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending, pending, inFlight, lastActiveMs] = rest.slice(i, i + 9);
      const figures: SubscriberFigures = { id: id as string, pending: pending as number, inFlight: inFlight as number, lastActiveMs: Number(lastActiveMs) };
      if (name !== '') figures.name = name as string;
      if (ackWaitMs !== '') {
        const ack: AckSettings = { ackWaitMs: Number(ackWaitMs) };
        if (maxDeliveries !== '') ack.maxDeliveries = Number(maxDeliveries);
        if (deadLetterSubject !== '') ack.deadLetterSubject = deadLetterSubject as string;
        if (maxAckPending !== '') ack.maxAckPending = Number(maxAckPending);
        figures.ack = ack;
      }
      items.push(figures);
    }
    return more === 1 && items.length > 0 ? { items, next: items[items.length - 1].id } : { items };
  }

  async peek(subject: string, id: string | undefined, max: number): Promise<PeekedMessage[] | undefined> {
    const [retained, ...rest] = (await this.call('gmqPeek', subject, id ?? '', max)) as number[] | Array<string | number>;
    if (retained === -1) return undefined;
    const seqs: number[] = [];
    const ids: string[] = [];
    const times: number[] = [];
    for (let i = 0; i < rest.length; i += 3) {
      seqs.push(Number(rest[i]));
      ids.push(String(rest[i + 1]));
      times.push(Number(rest[i + 2]));
    }
    // Read after the script: a message trimmed in between stays readable for a grace time (subject.lua).
    const data = await this.readData(subject, ids);
    const messages: PeekedMessage[] = [];
    seqs.forEach((seq, i) => {
      if (data[i] === null) return;
      messages.push(retained === 1 ? { seq, data: data[i]!, publishedMs: times[i] } : { seq, data: data[i]! });
    });
    return messages;
  }

  async purge(subject: string, id: string | undefined): Promise<number | undefined> {
    let purged = 0;
    let cursor = '';
    let upto = -1;
    for (let more = 1; more === 1; ) {
      const answer = (await this.call('gmqPurge', subject, id ?? '', cursor, upto)) as [number[] | number, number, number, string, number];
      if (answer[0] === -1) return purged > 0 ? purged : undefined;
      const [accounted, step, again, next, end] = answer as [number[], number, number, string, number];
      this.accounting.settled(subject, accounted);
      purged += step;
      more = again;
      cursor = next;
      upto = end;
    }
    await this.trimAll(subject);
    return purged;
  }

  /** Trims what the purge freed, TRIM_BATCH a call, so the counts and limits show it when it answers. */
  private async trimAll(subject: string): Promise<void> {
    for (let freed = TRIM_BATCH; freed >= TRIM_BATCH; ) {
      const [accounted, messages] = (await this.call('gmqTrim', subject)) as [number[], number];
      this.tidier.trimmed(subject, this.accounting.settled(subject, accounted));
      freed = messages;
    }
  }

  private call(script: 'gmqFigures' | 'gmqSubscribers' | 'gmqPeek' | 'gmqPurge' | 'gmqTrim', subject: string, ...args: Array<string | number>): Promise<unknown> {
    return this.run(script, this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), ...args);
  }
}
