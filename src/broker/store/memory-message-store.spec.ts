import { jest } from '@jest/globals';
import { MemoryMessageStore } from './memory-message-store.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const LIMITS = {
  maxPending: 100,
  maxPendingBytes: 10_000,
  maxPendingPerSubject: 100,
  maxPendingBytesPerSubject: 10_000,
  maxSubscribers: 1000,
  maxInFlight: 1_000_000,
  maxFetchBytes: 1_000_000,
};

describe(MemoryMessageStore.name, () => {
  let sut: MemoryMessageStore;

  beforeEach(() => {
    sut = new MemoryMessageStore(LIMITS);
  });

  /** Subscribes, failing the test if the store refuses. */
  function subscribe(subject: string) {
    const subscriber = sut.subscribe(subject);
    if (!subscriber) throw new Error(`subscribe(${subject}) was refused`);
    return subscriber;
  }

  it('refuses a publish with no subscriber and holds nothing', () => {
    expect(sut.publish('a', 'x')).toBe('no-subscriber');
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0 });
  });

  it('fans out to every subscriber in publish order, storing each message once', () => {
    const [a, b] = [subscribe('s'), subscribe('s')];
    sut.publish('s', 'one');
    sut.publish('s', 'two');
    expect(sut.stats()).toMatchObject({ messagesHeld: 2, bytesHeld: 6, subscribers: 2, subjects: 1 });
    expect(sut.fetch('s', a.id, Infinity)).toEqual({ data: ['one', 'two'], remaining: 0 });
    expect(sut.stats()).toMatchObject({ messagesHeld: 2, bytesHeld: 6 }); // b still holds them
    expect(sut.fetch('s', b.id, Infinity)?.data).toEqual(['one', 'two']);
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0 });
  });

  it('frees a message only when every subscriber that holds it has read it, whatever their pace', () => {
    const [fast, slow] = [subscribe('s'), subscribe('s')];
    sut.publish('s', '1');
    sut.publish('s', '2');
    const late = subscribe('s'); // holds nothing published before it
    sut.publish('s', '3');
    expect(sut.fetch('s', late.id, Infinity)?.data).toEqual(['3']);
    expect(sut.fetch('s', fast.id, Infinity)?.data).toEqual(['1', '2', '3']);
    expect(sut.stats().messagesHeld).toBe(3); // slow has read nothing
    expect(sut.fetch('s', slow.id, 2)?.data).toEqual(['1', '2']);
    expect(sut.stats()).toMatchObject({ messagesHeld: 1, bytesHeld: 1 });
    expect(sut.unsubscribe('s', slow.id)).toBe(true);
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0 });
    sut.publish('s', '4');
    expect(sut.fetch('s', fast.id, Infinity)?.data).toEqual(['4']);
    expect(sut.fetch('s', late.id, Infinity)?.data).toEqual(['4']);
  });

  it('takes at most `max` messages, oldest first, and leaves the rest in order', () => {
    const { id } = subscribe('s');
    for (const data of ['1', '2', '3', '4', '5']) sut.publish('s', data);
    expect(sut.fetch('s', id, 2)).toEqual({ data: ['1', '2'], remaining: 3 });
    expect(sut.fetch('s', id, 2)).toEqual({ data: ['3', '4'], remaining: 1 });
    expect(sut.fetch('s', id, 2)).toEqual({ data: ['5'], remaining: 0 });
    expect(sut.stats().messagesHeld).toBe(0);
  });

  it('refuses a subscriber past maxSubscribers, over all subjects, until one leaves', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxSubscribers: 2 });
    const first = subscribe('a');
    subscribe('b');
    expect(sut.subscribe('c')).toBeUndefined();
    expect(sut.stats()).toMatchObject({ subscribers: 2, subjects: 2 });
    expect(sut.unsubscribe('a', first.id)).toBe(true);
    expect(sut.subscribe('c')).toMatchObject({ subject: 'c' });
  });

  it('finds a subscriber only under its own subject', () => {
    const { id } = subscribe('s');
    expect(sut.fetch('other', id, Infinity)).toBeUndefined();
    expect(sut.fetch('s', 'unknown', Infinity)).toBeUndefined();
  });

  it('refuses the publish that would pass maxPending, counting a fanned-out message once', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 2, maxPendingBytes: 1000 });
    subscribe('s');
    subscribe('s');
    expect(sut.publish('s', 'a')).toBe('ok');
    expect(sut.publish('s', 'b')).toBe('ok');
    expect(sut.publish('s', 'c')).toBe('overflow');
    expect(sut.stats()).toMatchObject({ messagesHeld: 2, bytesHeld: 2 });
  });

  it('refuses the publish that would pass maxPendingBytes, counting UTF-8 bytes', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 100, maxPendingBytes: 5 });
    const { id } = subscribe('s');
    expect(sut.publish('s', 'é')).toBe('ok'); // 2 bytes
    expect(sut.publish('s', 'abcd')).toBe('overflow');
    expect(sut.publish('s', 'abc')).toBe('ok');
    expect(sut.stats().bytesHeld).toBe(5);
    expect(sut.fetch('s', id, Infinity)?.data).toEqual(['é', 'abc']);
  });

  it('releases what an unsubscribed subscriber held', () => {
    const [a, b] = [subscribe('s'), subscribe('s')];
    sut.publish('s', 'x');
    expect(sut.unsubscribe('s', a.id)).toBe(true);
    expect(sut.stats()).toMatchObject({ messagesHeld: 1, subscribers: 1 });
    expect(sut.unsubscribe('s', b.id)).toBe(true);
    expect(sut.stats()).toMatchObject({ messagesHeld: 0, bytesHeld: 0, subscribers: 0, subjects: 0 });
    expect(sut.unsubscribe('s', b.id)).toBe(false);
    expect(sut.publish('s', 'y')).toBe('no-subscriber');
  });

  it('expires subscribers idle since before the cut-off, and only those', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const idle = subscribe('s');
      jest.setSystemTime(1_005_000);
      const active = subscribe('s');
      sut.publish('s', 'x');
      jest.setSystemTime(1_010_000);
      sut.fetch('s', idle.id, Infinity); // fetching makes it active again
      const expired = sut.expireIdle(1_006_000, 10);
      expect(expired).toEqual([{ id: active.id, subject: 's' }]);
      expect(sut.stats()).toMatchObject({ subscribers: 1, messagesHeld: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps an idle subscriber said to be active, and counts it active from now', () => {
    jest.useFakeTimers({ now: 3_000_000 });
    try {
      const [waiting, idle] = [subscribe('s'), subscribe('s')];
      const isActive = (subject: string, id: string) => subject === 's' && id === waiting.id;
      jest.setSystemTime(3_010_000);
      expect(sut.expireIdle(3_005_000, 10, isActive)).toEqual([{ id: idle.id, subject: 's' }]);
      expect(sut.stats()).toMatchObject({ subscribers: 1 });
      expect(sut.expireIdle(3_009_999, 10)).toEqual([]); // touched at 3_010_000
    } finally {
      jest.useRealTimers();
    }
  });

  describe('named subscribers', () => {
    it('answers the subscriber of an existing name, creating nothing, even at maxSubscribers', () => {
      const store = new MemoryMessageStore({ ...LIMITS, maxSubscribers: 1 });
      const first = store.subscribe('s', { ackWaitMs: 5000 }, { name: 'n' });
      expect(first).toEqual({ id: expect.any(String), subject: 's', name: 'n', ack: { ackWaitMs: 5000, maxAckPending: 1000 } });
      expect(store.subscribe('s', { ackWaitMs: 5000, maxAckPending: 1000 }, { name: 'n' })).toEqual(first);
      expect(store.subscribe('s', undefined, { name: 'other' })).toBeUndefined();
      expect(store.stats()).toMatchObject({ subscribers: 1, subjects: 1 });
    });

    it('refuses another owner before comparing settings, and other settings of the owner', () => {
      sut.subscribe('s', undefined, { name: 'n', owner: 'alice' });
      expect(sut.subscribe('s', { ackWaitMs: 5000 }, { name: 'n', owner: 'bob' })).toBe('name-taken');
      expect(sut.subscribe('s', undefined, { name: 'n' })).toBe('name-taken');
      expect(sut.subscribe('s', { ackWaitMs: 5000 }, { name: 'n', owner: 'alice' })).toBe('settings-differ');
      expect(sut.stats().subscribers).toBe(1);
    });

    it('frees the name with its subscriber', () => {
      const first = sut.subscribe('s', undefined, { name: 'n' }) as { id: string };
      expect(sut.unsubscribe('s', first.id)).toBe(true);
      expect(sut.subscribe('s', undefined, { name: 'n' })).toMatchObject({ name: 'n', id: expect.not.stringMatching(first.id) });
    });

    it('expires named and unnamed subscribers in their own sweeps; a subscribe with the name is activity', () => {
      jest.useFakeTimers({ now: 1_000_000 });
      try {
        const named = sut.subscribe('s', undefined, { name: 'n' }) as { id: string };
        const unnamed = subscribe('s');
        jest.setSystemTime(1_010_000);
        expect(sut.expireIdle(1_005_000, 10)).toEqual([{ id: unnamed.id, subject: 's' }]);
        expect(sut.subscribe('s', undefined, { name: 'n' })).toMatchObject({ id: named.id });
        expect(sut.expireIdle(1_005_000, 10, undefined, true)).toEqual([]);
        expect(sut.expireIdle(1_010_001, 10, undefined, true)).toEqual([{ id: named.id, subject: 's' }]);
        expect(sut.stats()).toMatchObject({ subscribers: 0, subjects: 0 });
      } finally {
        jest.useRealTimers();
      }
    });
  });

  it('reports the age of the oldest pending message', () => {
    jest.useFakeTimers({ now: 2_000_000 });
    try {
      subscribe('s');
      expect(sut.stats().oldestPendingAgeMs).toBe(0);
      sut.publish('s', 'old');
      jest.setSystemTime(2_003_000);
      sut.publish('s', 'new');
      expect(sut.stats().oldestPendingAgeMs).toBe(3000);
    } finally {
      jest.useRealTimers();
    }
  });
  it('expires at most `limit` subscribers a call, longest idle first', () => {
    const ids = Array.from({ length: 5 }, () => subscribe('s').id);
    expect(sut.expireIdle(Date.now() + 1, 2).map((s) => s.id)).toEqual(ids.slice(0, 2));
    expect(sut.expireIdle(Date.now() + 1, 2).map((s) => s.id)).toEqual(ids.slice(2, 4));
    expect(sut.expireIdle(Date.now() + 1, 2).map((s) => s.id)).toEqual(ids.slice(4));
    expect(sut.stats()).toMatchObject({ subscribers: 0, subjects: 0 });
  });

  describe('per-subject limits', () => {
    it('refuses the publish that would pass maxPendingPerSubject, leaving other subjects free', () => {
      sut = new MemoryMessageStore({ ...LIMITS, maxPendingPerSubject: 2 });
      const busy = subscribe('busy');
      subscribe('quiet');
      expect(sut.publish('busy', '1')).toBe('ok');
      expect(sut.publish('busy', '2')).toBe('ok');
      expect(sut.publish('busy', '3')).toBe('subject-overflow');
      expect(sut.publish('quiet', '1')).toBe('ok');
      expect(sut.stats().messagesHeld).toBe(3);
      sut.fetch('busy', busy.id, 1);
      expect(sut.publish('busy', '3')).toBe('ok');
    });

    it('counts a fanned-out message once per subject, and only until its slowest subscriber has it', () => {
      sut = new MemoryMessageStore({ ...LIMITS, maxPendingPerSubject: 2 });
      const [fast, slow] = [subscribe('s'), subscribe('s')];
      sut.publish('s', '1');
      sut.publish('s', '2');
      sut.fetch('s', fast.id, Infinity);
      expect(sut.publish('s', '3')).toBe('subject-overflow'); // slow still holds both
      sut.fetch('s', slow.id, 1);
      expect(sut.publish('s', '3')).toBe('ok');
    });

    it('refuses the publish that would pass maxPendingBytesPerSubject', () => {
      sut = new MemoryMessageStore({ ...LIMITS, maxPendingBytesPerSubject: 4 });
      subscribe('a');
      subscribe('b');
      expect(sut.publish('a', 'abc')).toBe('ok');
      expect(sut.publish('a', 'de')).toBe('subject-overflow');
      expect(sut.publish('b', 'abcd')).toBe('ok');
      expect(sut.stats().bytesHeld).toBe(7);
    });
  });

  describe('fetch byte budget', () => {
    it('stops before the message that would pass maxFetchBytes, leaving the rest pending in order', () => {
      // Each 10-byte message takes 13 bytes in the answer: its quotes and a comma.
      sut = new MemoryMessageStore({ ...LIMITS, maxFetchBytes: 30 });
      const { id } = subscribe('s');
      for (const digit of '12345') sut.publish('s', digit.repeat(10));
      expect(sut.fetch('s', id, Infinity)).toEqual({ data: ['1'.repeat(10), '2'.repeat(10)], remaining: 3 });
      expect(sut.fetch('s', id, 1)).toEqual({ data: ['3'.repeat(10)], remaining: 2 });
      expect(sut.fetch('s', id, Infinity)?.data).toEqual(['4'.repeat(10), '5'.repeat(10)]);
    });

    it('counts what escaping adds to the answer', () => {
      sut = new MemoryMessageStore({ ...LIMITS, maxFetchBytes: 100 });
      const { id } = subscribe('s');
      const control = '\u0001'.repeat(10); // 10 bytes, 60 once escaped
      sut.publish('s', control);
      sut.publish('s', control);
      expect(sut.fetch('s', id, Infinity)).toEqual({ data: [control], remaining: 1 });
    });

    it('always takes one message, even one larger than the budget', () => {
      sut = new MemoryMessageStore({ ...LIMITS, maxFetchBytes: 5 });
      const { id } = subscribe('s');
      sut.publish('s', 'a long message');
      sut.publish('s', 'b');
      expect(sut.fetch('s', id, Infinity)).toEqual({ data: ['a long message'], remaining: 1 });
      expect(sut.fetch('s', id, Infinity)).toEqual({ data: ['b'], remaining: 0 });
    });
  });

  it('removes a subscriber in the same time whether it holds ten messages or ten thousand', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 1_000_000, maxPendingPerSubject: 1_000_000, maxPendingBytes: 1e9, maxPendingBytesPerSubject: 1e9, maxSubscribers: 10_000 });
    const reader = subscribe('s');
    const holders = Array.from({ length: 2000 }, () => subscribe('s'));
    for (let i = 0; i < 10_000; i++) sut.publish('s', 'x');
    // Operations counted, not timed: each removal may touch only its own position.
    type Counted = Record<'readers' | 'addReaders' | 'bytes' | 'data', (...args: number[]) => unknown>;
    const messages = (sut as unknown as { subjects: Map<string, { messages: Counted }> }).subjects.get('s')!.messages;
    let reads = 0;
    for (const name of ['readers', 'addReaders', 'bytes', 'data'] as const) {
      const original = messages[name].bind(messages);
      messages[name] = (...args: number[]) => {
        reads += 1;
        return original(...args);
      };
    }
    for (const holder of holders) sut.unsubscribe('s', holder.id);
    expect(reads).toBeLessThanOrEqual(2 * holders.length);
    expect(sut.stats().messagesHeld).toBe(10_000); // the reader still holds them all
    expect(sut.fetch('s', reader.id, Infinity)?.data).toHaveLength(10_000);
    expect(sut.stats().messagesHeld).toBe(0);
  });

  it('agrees with a plain model of per-subscriber queues over random operations', () => {
    sut = new MemoryMessageStore({ ...LIMITS, maxPending: 40, maxPendingBytes: 400, maxPendingPerSubject: 15, maxPendingBytesPerSubject: 150, maxFetchBytes: 40 });
    const random = seededRandom(42);
    const model = new Map<string, { subject: string; queue: string[] }>();
    const held = () => {
      const all = new Set([...model.values()].flatMap(({ queue }) => queue));
      return { messagesHeld: all.size, bytesHeld: [...all].reduce((sum, data) => sum + Buffer.byteLength(data.split('#')[1]), 0) };
    };
    for (let step = 0; step < 10_000; step++) {
      const subject = ['a', 'b', 'c'][random(3)];
      const ids = [...model.keys()].filter((id) => model.get(id)!.subject === subject);
      const action = random(10);
      if (action === 0 && ids.length < 4) {
        model.set(subscribe(subject).id, { subject, queue: [] });
      } else if (action === 1 && ids.length > 0) {
        const id = ids[random(ids.length)];
        expect(sut.unsubscribe(subject, id)).toBe(true);
        model.delete(id);
      } else if (action < 6) {
        const data = `${step}#${'x'.repeat(random(12))}`;
        const outcome = sut.publish(subject, data.split('#')[1]);
        if (outcome === 'ok') for (const id of ids) model.get(id)!.queue.push(data);
        else expect(ids.length === 0 ? 'no-subscriber' : ['overflow', 'subject-overflow']).toContain(outcome);
      } else if (ids.length > 0) {
        const id = ids[random(ids.length)];
        const hadPending = model.get(id)!.queue.length > 0;
        const taken = sut.fetch(subject, id, 1 + random(5))!;
        const expected = model.get(id)!.queue.splice(0, taken.data.length);
        expect(taken.data).toEqual(expected.map((data) => data.split('#')[1]));
        expect(taken.data.length > 0).toBe(hadPending); // the budget never stops a fetch at nothing
        expect(taken.remaining).toBe(model.get(id)!.queue.length);
      }
      expect(sut.stats()).toMatchObject(held());
    }
  });

  describe('retained subjects', () => {
    const rule = { subjects: 'kept.>', maxAge: 0, maxMessages: 3, maxBytes: 0, discard: 'old' as const };

    it('keeps a log with no subscriber, drops from the front past its rule, and counts readers at the new front exactly', () => {
      sut = new MemoryMessageStore(LIMITS, [rule]);
      expect(sut.publish('kept.a', '1')).toBe('ok');
      const all = sut.subscribe('kept.a', undefined, { deliver: 'all' }) as { id: string };
      const acked = sut.subscribe('kept.a', { ackWaitMs: 60_000 }, { deliver: 'all' }) as { id: string };
      expect(sut.fetch('kept.a', acked.id, 1)?.messages?.map(({ seq }) => seq)).toEqual([1]);
      for (const data of ['2', '3', '4', '5']) expect(sut.publish('kept.a', data)).toBe('ok');
      expect(sut.stats()).toMatchObject({ messagesHeld: 3, retained: 3, inFlight: 1, retentionDropped: { messages: 2 } });
      expect(sut.fetch('kept.a', all.id, 10)).toMatchObject({ data: ['3', '4', '5'], remaining: 0 });
      // The acknowledged one forgets seq 1 (in flight, dropped) when next touched.
      expect(sut.ack('kept.a', acked.id, [1])).toBe(0);
      expect(sut.stats().inFlight).toBe(0);
      expect(sut.fetch('kept.a', acked.id, 10)?.data).toEqual(['3', '4', '5']);
      // Both leave: the log stays, whole, for the next replay.
      sut.unsubscribe('kept.a', all.id);
      sut.unsubscribe('kept.a', acked.id);
      expect(sut.stats()).toMatchObject({ messagesHeld: 3, subscribers: 0, subjects: 0 });
      const later = sut.subscribe('kept.a', undefined, { deliver: { fromSeq: 4 } }) as { id: string };
      expect(sut.fetch('kept.a', later.id, 10)?.data).toEqual(['4', '5']);
      sut.close();
    });

    it('a pattern subscriber replays the retained subjects it matches in pages between turns, none in the subscribe itself, and releases it all on unsubscribe', async () => {
      const big = { subjects: 'bulk.>', maxAge: 0, maxMessages: 0, maxBytes: 0, discard: 'old' as const };
      const roomy = { ...LIMITS, maxPending: 100_000, maxPendingBytes: 10_000_000, maxPendingPerSubject: 100_000, maxPendingBytesPerSubject: 10_000_000 };
      sut = new MemoryMessageStore(roomy, [big]);
      for (let i = 0; i < 10_000; i++) expect(sut.publish(`bulk.s${i % 2}`, `${i}`)).toBe('ok');
      // Not timed (a loaded machine makes any bound flaky): what it does in its own turn is counted.
      const { id } = sut.subscribe('bulk.*', undefined, { deliver: 'all' }) as { id: string };
      expect(sut.pendingCount('bulk.*', id)).toBe(0);
      expect(sut.publish('bulk.s0', 'after')).toBe('ok'); // left to the replay: after s0's retained ones
      await new Promise((resolve) => setImmediate(resolve));
      expect(sut.pendingCount('bulk.*', id)).toBe(1000); // one page a turn
      const data: Record<string, string[]> = { 'bulk.s0': [], 'bulk.s1': [] };
      for (let turns = 0; turns < 20; turns++) {
        await new Promise((resolve) => setImmediate(resolve));
        for (const message of sut.fetch('bulk.*', id, Infinity)!.messages!) data[message.subject!].push(message.data);
      }
      expect(data['bulk.s0']).toEqual([...Array.from({ length: 5000 }, (_, i) => `${2 * i}`), 'after']);
      expect(data['bulk.s1']).toEqual(Array.from({ length: 5000 }, (_, i) => `${2 * i + 1}`));
      expect(sut.stats()).toMatchObject({ messagesHeld: 10_001, patterns: 1, subjects: 1 });
      expect(sut.unsubscribe('bulk.*', id)).toBe(true);
      expect(sut.stats()).toMatchObject({ messagesHeld: 10_001, patterns: 0, subjects: 0 });
      sut.close();
    });
  });
});
