import { jest } from '@jest/globals';
import { MemoryMessageStore } from './memory-message-store.js';

const LIMITS = { maxPending: 100, maxPendingBytes: 10_000, maxSubscribers: 1000 };

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
      const expired = sut.expireIdle(1_006_000);
      expect(expired).toEqual([{ id: active.id, subject: 's' }]);
      expect(sut.stats()).toMatchObject({ subscribers: 1, messagesHeld: 0 });
    } finally {
      jest.useRealTimers();
    }
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
});
