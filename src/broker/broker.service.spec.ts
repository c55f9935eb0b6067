import { BrokerError, BrokerErrorCode } from './broker.error.js';
import { BrokerService } from './broker.service.js';
import { MemoryMessageStore } from './store/memory-message-store.js';
import type { StoreLimits } from './store/message-store.js';

const LIMITS = { maxPending: 1000, maxPendingBytes: 1_000_000, maxPendingPerSubject: 1000, maxPendingBytesPerSubject: 1_000_000, maxSubscribers: 1000, maxInFlight: 1_000_000, maxFetchBytes: 1_000_000 };

function makeBroker(limits: Partial<StoreLimits> = {}) {
  return new BrokerService(new MemoryMessageStore({ ...LIMITS, ...limits }));
}

async function errorOf(promise: Promise<unknown>): Promise<BrokerErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BrokerError) return error.code;
    throw error;
  }
  throw new Error('expected a BrokerError');
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(BrokerService.name, () => {
  let sut: BrokerService;

  beforeEach(() => {
    sut = makeBroker();
  });

  describe('subscribe', () => {
    it('refuses with TooManySubscribers at maxSubscribers', async () => {
      sut = makeBroker({ maxSubscribers: 1 });
      await sut.subscribe('a');
      expect(await errorOf(sut.subscribe('b'))).toBe(BrokerErrorCode.TooManySubscribers);
    });
  });

  describe('publish', () => {
    it('refuses an invalid subject', async () => {
      expect(await errorOf(sut.publish('a..b', 'x'))).toBe(BrokerErrorCode.InvalidSubject);
      expect(sut.counters.published).toBe(0);
    });

    it('refuses a subject without subscribers, storing nothing', async () => {
      expect(await errorOf(sut.publish('a', 'x'))).toBe(BrokerErrorCode.SubscriberNotFound);
      expect(sut.counters.refused.no_subscriber).toBe(1);
      expect(sut.counters.published).toBe(0);
      expect((await sut.store.stats()).messagesHeld).toBe(0);
    });

    it('refuses past the limit with Overflow and stores nothing of the refused message', async () => {
      sut = makeBroker({ maxPending: 1, maxPendingBytes: 100 });
      const { id } = await sut.subscribe('a');
      await sut.publish('a', 'first');
      expect(await errorOf(sut.publish('a', 'second'))).toBe(BrokerErrorCode.Overflow);
      expect(sut.counters.refused.overflow).toBe(1);
      expect((await sut.fetch('a', id)).data).toEqual(['first']);
    });

    it("refuses past a subject's own limit with Overflow, counted apart, while other subjects still publish", async () => {
      sut = makeBroker({ maxPendingPerSubject: 2 });
      const busy = await sut.subscribe('busy');
      await sut.subscribe('quiet');
      await sut.publish('busy', '1');
      await sut.publish('busy', '2');
      expect(await errorOf(sut.publish('busy', '3'))).toBe(BrokerErrorCode.Overflow);
      expect(sut.counters.refused).toMatchObject({ subject_overflow: 1, overflow: 0 });
      await sut.publish('quiet', 'still fine');
      expect((await sut.fetch('busy', busy.id)).data).toEqual(['1', '2']);
      await sut.publish('busy', '3');
    });
  });

  describe('publishBatch', () => {
    it('publishes in order and reports each entry on its own', async () => {
      const { id } = await sut.subscribe('a');
      const results = await sut.publishBatch([
        { subject: 'a', data: '1' },
        { subject: 'nobody', data: '2' },
        { subject: 'a', data: '3' },
      ]);
      expect(results).toEqual([{ status: 'ok' }, { message: 'subscriber not found' }, { status: 'ok' }]);
      expect((await sut.fetch('a', id)).data).toEqual(['1', '3']);
    });
  });

  describe('fetch', () => {
    it('answers BadId for an unknown subscriber and InvalidSubject for a bad subject', async () => {
      expect(await errorOf(sut.fetch('a', 'nope'))).toBe(BrokerErrorCode.BadId);
      expect(await errorOf(sut.fetch('a b', 'nope'))).toBe(BrokerErrorCode.InvalidSubject);
    });

    it('counts delivered messages', async () => {
      const { id } = await sut.subscribe('a');
      await sut.publishBatch([{ subject: 'a', data: '1' }, { subject: 'a', data: '2' }]);
      await sut.fetch('a', id, { max: 1 });
      expect(sut.counters.delivered).toBe(1);
    });
  });

  describe('fetch with waitMs (long-poll)', () => {
    it('answers at once when messages are pending', async () => {
      const { id } = await sut.subscribe('a');
      await sut.publish('a', 'ready');
      expect((await sut.fetch('a', id, { waitMs: 10_000 })).data).toEqual(['ready']);
      expect(sut.waiters.size).toBe(0);
    });

    it('is woken by a publish', async () => {
      const { id } = await sut.subscribe('a');
      const waiting = sut.fetch('a', id, { waitMs: 10_000 });
      await tick();
      expect(sut.waiters.size).toBe(1);
      await sut.publish('a', 'hello');
      expect((await waiting).data).toEqual(['hello']);
      expect(sut.waiters.size).toBe(0);
    });

    it('answers [] when the time is up', async () => {
      const { id } = await sut.subscribe('a');
      const started = Date.now();
      expect((await sut.fetch('a', id, { waitMs: 50 })).data).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(sut.waiters.size).toBe(0);
    });

    it('takes nothing when aborted, so the next fetch gets the message', async () => {
      const { id } = await sut.subscribe('a');
      const controller = new AbortController();
      const waiting = sut.fetch('a', id, { waitMs: 10_000, signal: controller.signal });
      await tick();
      controller.abort();
      expect((await waiting).data).toEqual([]);
      await sut.publish('a', 'kept');
      expect((await sut.fetch('a', id)).data).toEqual(['kept']);
    });

    it('passes the wake on when its client leaves between the wake and its turn to resume', async () => {
      const { id } = await sut.subscribe('a');
      const controller = new AbortController();
      const leaving = sut.fetch('a', id, { waitMs: 10_000, signal: controller.signal });
      const staying = sut.fetch('a', id, { waitMs: 10_000 });
      await tick();
      await sut.publish('a', 'for whoever stayed');
      controller.abort();
      expect((await leaving).data).toEqual([]);
      expect((await staying).data).toEqual(['for whoever stayed']);
    });

    it('gives concurrent waiting fetches of one subscriber different messages', async () => {
      const { id } = await sut.subscribe('a');
      const waiting = [1, 2, 3].map(() => sut.fetch('a', id, { waitMs: 10_000, max: 1 }));
      await tick();
      await sut.publishBatch([1, 2, 3].map((n) => ({ subject: 'a', data: `m${n}` })));
      const got = (await Promise.all(waiting)).flatMap((answer) => answer.data);
      expect(got.sort()).toEqual(['m1', 'm2', 'm3']);
    });

    it('wakes a waiter of every subscriber on the subject', async () => {
      const [a, b] = [await sut.subscribe('a'), await sut.subscribe('a')];
      const waiting = [sut.fetch('a', a.id, { waitMs: 10_000 }), sut.fetch('a', b.id, { waitMs: 10_000 })];
      await tick();
      await sut.publish('a', 'both');
      expect((await Promise.all(waiting)).map((answer) => answer.data)).toEqual([['both'], ['both']]);
    });

    it('ends with what it has when the subscriber is removed while it waits', async () => {
      const { id } = await sut.subscribe('a');
      const waiting = sut.fetch('a', id, { waitMs: 10_000 });
      await tick();
      await sut.unsubscribe('a', id);
      expect((await waiting).data).toEqual([]);
      expect(await errorOf(sut.fetch('a', id))).toBe(BrokerErrorCode.BadId);
    });

    it('answers every waiting fetch at shutdown', async () => {
      const { id } = await sut.subscribe('a');
      const waiting = sut.fetch('a', id, { waitMs: 10_000 });
      await tick();
      sut.beforeApplicationShutdown();
      expect((await waiting).data).toEqual([]);
      expect(sut.isClosing).toBe(true);
    });
  });

  describe('expireIdle', () => {
    it('removes idle subscribers and counts them', async () => {
      await sut.subscribe('a');
      expect(await sut.expireIdle(Date.now() + 1, 10)).toBe(1);
      expect(sut.counters.expiredSubscribers).toBe(1);
      expect(await errorOf(sut.publish('a', 'x'))).toBe(BrokerErrorCode.SubscriberNotFound);
    });

    it('keeps a subscriber whose fetch is waiting, and the fetch gets the next message', async () => {
      const { id } = await sut.subscribe('a');
      const waiting = sut.fetch('a', id, { waitMs: 10_000 });
      await tick();
      expect(await sut.expireIdle(Date.now() + 1, 10)).toBe(0);
      await sut.publish('a', 'kept');
      expect((await waiting).data).toEqual(['kept']);
      expect(sut.counters.expiredSubscribers).toBe(0);
    });
  });
});
