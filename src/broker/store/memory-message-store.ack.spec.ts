import { jest } from '@jest/globals';
import { MemoryMessageStore } from './memory-message-store.js';
import type { AckSettings, StoreEvents } from './message-store.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const LIMITS = {
  maxPending: 1000,
  maxPendingBytes: 1_000_000,
  maxPendingPerSubject: 1000,
  maxPendingBytesPerSubject: 1_000_000,
  maxSubscribers: 1000,
  maxInFlight: 1_000_000,
  maxFetchBytes: 1_000_000,
};

describe(`${MemoryMessageStore.name}, acknowledged delivery`, () => {
  let sut: MemoryMessageStore;
  let events: { available: string[]; published: string[]; dropped: string[] };

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    sut = new MemoryMessageStore(LIMITS);
    events = { available: [], published: [], dropped: [] };
    const sink: StoreEvents = {
      available: (_subject, id) => events.available.push(id),
      published: (subject) => events.published.push(subject),
      dropped: (subject) => events.dropped.push(subject),
    };
    sut.events = sink;
  });

  afterEach(() => {
    sut.close();
    jest.useRealTimers();
  });

  function subscribe(subject: string, ack?: AckSettings): string {
    const subscriber = sut.subscribe(subject, ack);
    if (!subscriber) throw new Error('refused');
    return subscriber.id;
  }

  const seqsOf = (subject: string, id: string, max = Infinity) => sut.fetch(subject, id, max)!.messages!.map(({ seq }) => seq);

  it('gives every message a positive seq, increasing in publish order, the same for every subscriber', () => {
    const [a, b] = [subscribe('s', { ackWaitMs: 1000 }), subscribe('s', { ackWaitMs: 1000 })];
    for (const data of ['x', 'y', 'z']) sut.publish('s', data);
    const first = sut.fetch('s', a, Infinity)!;
    expect(first.messages).toEqual([
      { seq: 1, data: 'x', deliveries: 1 },
      { seq: 2, data: 'y', deliveries: 1 },
      { seq: 3, data: 'z', deliveries: 1 },
    ]);
    expect(first.data).toEqual(['x', 'y', 'z']);
    expect(seqsOf('s', b)).toEqual([1, 2, 3]);
  });

  it('keeps seqs growing when a subject loses its last subscriber and gets a new one', () => {
    const first = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'a');
    sut.publish('s', 'b');
    sut.unsubscribe('s', first);
    const second = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'c');
    expect(seqsOf('s', second)).toEqual([3]);
  });

  it('does not hand out a message in flight again before its deadline, and redelivers it after', () => {
    const id = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'x');
    expect(seqsOf('s', id)).toEqual([1]);
    expect(sut.fetch('s', id, Infinity)).toMatchObject({ data: [], remaining: 0 });
    jest.advanceTimersByTime(999);
    expect(sut.fetch('s', id, Infinity)!.data).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(events.available).toEqual([id]);
    expect(sut.fetch('s', id, Infinity)!.messages).toEqual([{ seq: 1, data: 'x', deliveries: 2 }]);
    expect(sut.stats()).toMatchObject({ redelivered: 1, inFlight: 1 });
  });

  it('delivers messages due again before newer ones, lowest seq first', () => {
    const id = subscribe('s', { ackWaitMs: 1000 });
    for (const data of ['1', '2', '3']) sut.publish('s', data);
    expect(seqsOf('s', id)).toEqual([1, 2, 3]);
    sut.publish('s', '4');
    expect(sut.nack('s', id, [3, 1], 0)).toBe(2);
    expect(sut.pendingCount('s', id)).toBe(3); // 1 and 3 again, and 4
    expect(seqsOf('s', id, 2)).toEqual([1, 3]);
    expect(seqsOf('s', id)).toEqual([4]);
  });

  it('settles acked messages for good: idempotent, counting only those in flight, freeing the limits', () => {
    const id = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'x');
    sut.publish('s', 'y');
    seqsOf('s', id);
    expect(sut.stats()).toMatchObject({ messagesHeld: 2, inFlight: 2 });
    expect(sut.ack('s', id, [1, 1, 99])).toBe(1);
    expect(sut.ack('s', id, [1])).toBe(0);
    expect(sut.stats()).toMatchObject({ messagesHeld: 1, inFlight: 1 });
    expect(sut.ack('s', id, [2])).toBe(1);
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0, inFlight: 0 });
    jest.advanceTimersByTime(5000);
    expect(sut.fetch('s', id, Infinity)!.data).toEqual([]);
  });

  it('holds an unacked message, and all after it, against the limits', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 2 });
    const id = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'x');
    sut.publish('s', 'y');
    seqsOf('s', id);
    expect(sut.publish('s', 'z')).toBe('overflow');
    sut.ack('s', id, [2]);
    expect(sut.publish('s', 'z')).toBe('overflow'); // 1 is still in flight: the log is held from it
    sut.ack('s', id, [1]);
    expect(sut.publish('s', 'z')).toBe('ok');
  });

  it('makes nacked messages available after their delay', () => {
    const id = subscribe('s', { ackWaitMs: 60_000 });
    sut.publish('s', 'x');
    seqsOf('s', id);
    expect(sut.nack('s', id, [1], 500)).toBe(1);
    expect(sut.stats().inFlight).toBe(0);
    expect(sut.fetch('s', id, Infinity)!.data).toEqual([]);
    jest.advanceTimersByTime(500);
    expect(events.available).toEqual([id]);
    expect(sut.fetch('s', id, Infinity)!.messages).toEqual([{ seq: 1, data: 'x', deliveries: 2 }]);
  });

  it('restarts deadlines on extend', () => {
    const id = subscribe('s', { ackWaitMs: 1000 });
    sut.publish('s', 'x');
    seqsOf('s', id);
    jest.advanceTimersByTime(800);
    expect(sut.extend('s', id, [1, 2])).toBe(1);
    jest.advanceTimersByTime(800);
    expect(sut.fetch('s', id, Infinity)!.data).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(seqsOf('s', id)).toEqual([1]);
  });

  it('dead-letters a message after maxDeliveries, to the subscribers of the dead-letter subject', () => {
    const id = subscribe('work', { ackWaitMs: 1000, maxDeliveries: 2, deadLetterSubject: 'work.dead' });
    const dead = subscribe('work.dead');
    sut.publish('work', 'poison');
    seqsOf('work', id);
    jest.advanceTimersByTime(1000);
    expect(seqsOf('work', id)).toEqual([1]);
    jest.advanceTimersByTime(1000);
    expect(sut.fetch('work', id, Infinity)!.data).toEqual([]);
    expect(sut.fetch('work.dead', dead, Infinity)!.data).toEqual(['poison']);
    expect(events.published).toEqual(['work.dead']);
    expect(sut.stats()).toMatchObject({ deadLettered: 1, deadLetterDropped: 0, inFlight: 0, messagesHeld: 0 });
  });

  it('drops, counted, a message past maxDeliveries without a dead-letter subject, or when that subject refuses it', () => {
    const plain = subscribe('a', { ackWaitMs: 1000, maxDeliveries: 1 });
    const nobodyThere = subscribe('b', { ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'b.dead' });
    sut.publish('a', 'x');
    sut.publish('b', 'y');
    seqsOf('a', plain);
    seqsOf('b', nobodyThere);
    expect(sut.nack('a', plain, [1], 0)).toBe(1); // its one delivery is used up: dropped, not redelivered
    jest.advanceTimersByTime(1000);
    expect(events.dropped).toEqual(['a', 'b']);
    expect(sut.stats()).toMatchObject({ deadLettered: 0, deadLetterDropped: 2, messagesHeld: 0 });
  });

  it('releases in-flight messages on unsubscribe', () => {
    const id = subscribe('s', { ackWaitMs: 1000 });
    subscribe('s');
    sut.publish('s', 'x');
    seqsOf('s', id);
    sut.unsubscribe('s', id);
    expect(sut.stats()).toMatchObject({ inFlight: 0, messagesHeld: 1 });
    jest.advanceTimersByTime(5000);
    expect(events.available).toEqual([]);
  });

  it('answers at-most-once for ack, nack and extend of a subscriber without acknowledgements, bad-id for an unknown one', () => {
    const id = subscribe('s');
    expect(sut.ack('s', id, [1])).toBe('at-most-once');
    expect(sut.nack('s', id, [1], 0)).toBe('at-most-once');
    expect(sut.extend('s', id, [1])).toBe('at-most-once');
    expect(sut.ack('s', 'nobody', [1])).toBe('bad-id');
    sut.publish('s', 'x');
    expect(sut.fetch('s', id, Infinity)).toEqual({ data: ['x'], remaining: 0 });
  });

  it('keeps the answer within maxFetchBytes, counting each message twice', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxFetchBytes: 310 });
    const id = subscribe('s', { ackWaitMs: 1000 });
    for (let i = 0; i < 5; i++) sut.publish('s', 'x'.repeat(50));
    const first = sut.fetch('s', id, Infinity)!;
    expect(first.data.length).toBe(2); // each 2 × 53 (quoted, comma) + 48 = 154 bytes: two fit in 310, three do not
    expect(first.remaining).toBe(3);
  });

  it('redelivers 100,000 messages in flight at their deadline, 5,000 per turn', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 2e6, maxPendingPerSubject: 2e6, maxPendingBytes: 1e9, maxPendingBytesPerSubject: 1e9, maxFetchBytes: 1e9 });
    const id = subscribe('s', { ackWaitMs: 1000, maxAckPending: 100_000 });
    for (let i = 0; i < 100_000; i++) sut.publish('s', 'm');
    expect(sut.fetch('s', id, Infinity)!.data.length).toBe(100_000);
    jest.advanceTimersByTime(1000);
    expect(sut.stats().inFlight).toBeGreaterThan(0); // 5,000 a turn
    jest.advanceTimersByTime(100);
    expect(sut.stats().inFlight).toBe(0);
    expect(sut.fetch('s', id, Infinity)!.remaining).toBe(0);
    expect(sut.stats()).toMatchObject({ redelivered: 100_000, inFlight: 100_000 });
  });
  it('loses nothing and counts right over random fetches, acks, nacks, extends, deadlines and unsubscribes', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 60, maxPendingPerSubject: 40, maxFetchBytes: 200 });
    const random = seededRandom(7);
    // Per subscriber: seqs it must still see acked, and those it holds in flight now.
    const owed = new Map<string, Set<number>>();
    const inFlight = new Map<string, Set<number>>();
    const subjectOf = new Map<string, string>();
    for (let step = 0; step < 4000; step++) {
      const subject = ['a', 'b'][random(2)];
      const ids = [...owed.keys()].filter((id) => subjectOf.get(id) === subject);
      const action = random(12);
      if (action === 0 && ids.length < 3) {
        const id = subscribe(subject, { ackWaitMs: 1000 + random(3) * 1000 });
        owed.set(id, new Set());
        inFlight.set(id, new Set());
        subjectOf.set(id, subject);
      } else if (action === 1 && ids.length > 0 && random(4) === 0) {
        const id = ids[random(ids.length)];
        sut.unsubscribe(subject, id);
        owed.delete(id);
        inFlight.delete(id);
      } else if (action < 5) {
        if (sut.publish(subject, `m${step}`) !== 'ok') continue;
        for (const id of ids) owed.get(id)!.add(-step); // the seq is learnt at delivery: keyed by data meanwhile
      } else if (action < 8 && ids.length > 0) {
        const id = ids[random(ids.length)];
        for (const { seq, data } of sut.fetch(subject, id, 1 + random(4))!.messages!) {
          expect(inFlight.get(id)!.has(seq)).toBe(false); // never handed out twice while in flight
          inFlight.get(id)!.add(seq);
          const owedSet = owed.get(id)!;
          if (owedSet.delete(-Number(data.slice(1)))) owedSet.add(seq);
        }
      } else if (action === 8 && ids.length > 0) {
        const id = ids[random(ids.length)];
        const held = [...inFlight.get(id)!];
        const chosen = held.filter(() => random(2) === 0);
        expect(sut.ack(subject, id, chosen)).toBe(chosen.length);
        for (const seq of chosen) {
          inFlight.get(id)!.delete(seq);
          owed.get(id)!.delete(seq);
        }
      } else if (action === 9 && ids.length > 0) {
        const id = ids[random(ids.length)];
        const chosen = [...inFlight.get(id)!].filter(() => random(2) === 0);
        expect(sut.nack(subject, id, chosen, random(2) * 500)).toBe(chosen.length);
        for (const seq of chosen) inFlight.get(id)!.delete(seq);
      } else if (action === 10 && ids.length > 0) {
        const id = ids[random(ids.length)];
        expect(sut.extend(subject, id, [...inFlight.get(id)!])).toBe(inFlight.get(id)!.size);
      } else if (action === 11) {
        jest.advanceTimersByTime(3000); // every deadline and delay passes
        for (const held of inFlight.values()) held.clear();
      }
      const expectedInFlight = [...inFlight.values()].reduce((sum, held) => sum + held.size, 0);
      expect(sut.stats().inFlight).toBe(expectedInFlight);
    }
    // Drain: every subscriber gets, and acks, everything it is owed.
    jest.advanceTimersByTime(3000);
    for (const [id, owedSet] of owed) {
      const subject = subjectOf.get(id)!;
      for (let answer; (answer = sut.fetch(subject, id, Infinity)!).data.length > 0; ) {
        const seqs = answer.messages!.map(({ seq }) => seq);
        for (const { seq, data } of answer.messages!) owedSet.delete(seq) || owedSet.delete(-Number(data.slice(1)));
        sut.ack(subject, id, seqs);
      }
      expect([id, [...owedSet]]).toEqual([id, []]);
    }
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0, inFlight: 0 });
  });
});
