import { BrokerService } from '../src/broker/broker.service.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { eventually } from './support/eventually.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('consumer controls', () => {
  let broker: TestBroker;
  let service: BrokerService;

  beforeAll(async () => {
    broker = await TestBroker.start();
    service = broker.get(BrokerService);
  });
  afterAll(() => broker.close());

  describe('fetch with max', () => {
    it('splits a backlog across fetches in order and reports what remains', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      await broker.post('/api/publish/batch', { messages: ['1', '2', '3', '4', '5'].map((data) => ({ subject, data })) });
      expect((await broker.fetchMessages(subject, id, { max: 2 })).body).toEqual({ subject, id, data: ['1', '2'], remaining: 3 });
      expect((await broker.fetchMessages(subject, id, { max: 2 })).body).toMatchObject({ data: ['3', '4'], remaining: 1 });
      expect((await broker.fetchMessages(subject, id, { max: 2 })).body).toMatchObject({ data: ['5'], remaining: 0 });
    });

    it.each([0, 10_001, 1.5, '2'])('refuses max %j with 400', async (max) => {
      const { status, body } = await broker.fetchMessages('a', 'b', { max });
      expect(status).toBe(400);
      expect(body.errors[0]).toMatch(/^max: /);
    });
  });

  describe('fetch with waitMs (long-poll)', () => {
    it('is answered within milliseconds of a publish', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const waiting = broker.fetchMessages(subject, id, { waitMs: 10_000 });
      await eventually(() => service.waiters.size > 0);
      const publishedAt = Date.now();
      await broker.publish(subject, 'wake up');
      const answer = await waiting;
      expect(answer.body.data).toEqual(['wake up']);
      expect(Date.now() - publishedAt).toBeLessThan(500);
    });

    it('answers data [] when the time is up', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const started = Date.now();
      const answer = await broker.fetchMessages(subject, id, { waitMs: 300 });
      expect(answer).toMatchObject({ status: 200, body: { data: [], remaining: 0 } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('loses nothing when the client aborts a waiting fetch: the next fetch gets the message', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const controller = new AbortController();
      const abandoned = broker.post('/api/fetch', { subject, id, waitMs: 10_000 }, { signal: controller.signal });
      await eventually(() => service.waiters.size === 1);
      controller.abort();
      await expect(abandoned).rejects.toThrow(/abort/i);
      await eventually(() => service.waiters.size === 0); // the server noticed the client left
      await broker.publish(subject, 'kept');
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['kept']);
    });

    it('gives concurrent waiting fetches of one subscriber different messages', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const waiting = [1, 2, 3, 4].map(() => broker.fetchMessages(subject, id, { waitMs: 10_000, max: 1 }));
      await eventually(() => service.waiters.size >= 4);
      for (const data of ['a', 'b', 'c', 'd']) await broker.publish(subject, data);
      const delivered = (await Promise.all(waiting)).flatMap((answer) => answer.body.data);
      expect(delivered.sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it.each([-1, 30_001, 'soon'])('refuses waitMs %j with 400', async (waitMs) => {
      const { status, body } = await broker.fetchMessages('a', 'b', { waitMs });
      expect(status).toBe(400);
      expect(body.errors[0]).toMatch(/^waitMs: /);
    });

    it('answers 404 bad id at once for an unknown subscriber', async () => {
      const { status, body } = await broker.fetchMessages(uniqueSubject(), 'ghost', { waitMs: 10_000 });
      expect(status).toBe(404);
      expect(body.message).toBe('bad id');
    });
  });

  describe('POST /api/publish/batch', () => {
    it('publishes each entry on its own, in order, and reports each', async () => {
      const [subject, lonely] = [uniqueSubject(), uniqueSubject()];
      const id = await broker.subscribe(subject);
      const { status, body } = await broker.post('/api/publish/batch', {
        messages: [
          { subject, data: 'first' },
          { subject: lonely, data: 'nobody listens' },
          { subject, data: 'second' },
        ],
      });
      expect(status).toBe(200);
      expect(body).toEqual({ results: [{ status: 'ok' }, { message: 'subscriber not found' }, { status: 'ok' }] });
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['first', 'second']);
    });

    it('refuses the whole batch, naming the index, when one entry is malformed', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const { status, body } = await broker.post('/api/publish/batch', {
        messages: [{ subject, data: 'ok' }, { subject, data: 'ok' }, { subject: 'bad..subject', data: 'x' }],
      });
      expect(status).toBe(400);
      expect(body.message).toBe('messages[2].subject: invalid subject');
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
    });

    it('refuses an empty batch and one over broker.max-batch-size', async () => {
      expect((await broker.post('/api/publish/batch', { messages: [] })).status).toBe(400);
      const tooMany = Array.from({ length: 1001 }, () => ({ subject: 'a', data: 'x' }));
      const { status, body } = await broker.post('/api/publish/batch', { messages: tooMany });
      expect(status).toBe(400);
      expect(body.message).toBe('messages: at most 1000 entries');
    });

    it('reports broker overflow per entry', async () => {
      await TestBroker.using({ BROKER_MAX__PENDING: '2' }, async (small) => {
      const subject = uniqueSubject();
      await small.subscribe(subject);
      const { body } = await small.post('/api/publish/batch', { messages: ['1', '2', '3'].map((data) => ({ subject, data })) });
      expect(body.results).toEqual([{ status: 'ok' }, { status: 'ok' }, { message: 'broker overflow' }]);
      });
    });
  });

  describe('POST /api/unsubscribe', () => {
    it('removes the subscriber and frees what it held', async () => {
      await TestBroker.using({ BROKER_MAX__PENDING: '2' }, async (small) => {
      const subject = uniqueSubject();
      const [gone, stays] = [await small.subscribe(subject), await small.subscribe(subject)];
      await small.publish(subject, '1');
      await small.publish(subject, '2');
      expect((await small.post('/api/unsubscribe', { subject, id: gone })).body).toEqual({ status: 'ok' });
      expect((await small.publish(subject, '3')).status).toBe(429); // `stays` still holds 1 and 2
      await small.fetchMessages(subject, stays);
      expect((await small.publish(subject, '3')).status).toBe(200);
      expect(await small.fetchMessages(subject, gone)).toMatchObject({ status: 404, body: { message: 'bad id' } });
      });
    });

    it('frees the limits at once when the last holder leaves', async () => {
      await TestBroker.using({ BROKER_MAX__PENDING: '1' }, async (small) => {
      const subject = uniqueSubject();
      const id = await small.subscribe(subject);
      await small.publish(subject, 'held');
      const other = await small.subscribe(subject);
      expect((await small.publish(subject, 'refused')).status).toBe(429);
      await small.post('/api/unsubscribe', { subject, id });
      expect((await small.publish(subject, 'fits now')).status).toBe(200);
      expect((await small.fetchMessages(subject, other)).body.data).toEqual(['fits now']);
      });
    });

    it('answers 404 bad id for an unknown id', async () => {
      expect(await broker.post('/api/unsubscribe', { subject: 'a', id: 'ghost' })).toMatchObject({ status: 404, body: { message: 'bad id' } });
    });

    it('ends a fetch waiting for that subscriber with what it has', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const waiting = broker.fetchMessages(subject, id, { waitMs: 10_000 });
      await eventually(() => service.waiters.size > 0);
      await broker.post('/api/unsubscribe', { subject, id });
      expect(await waiting).toMatchObject({ status: 200, body: { data: [] } });
    });
  });
});

describe('idle expiry', () => {
  it('removes a subscriber that has not fetched for broker.subscriber-idle-timeout seconds', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (broker) => {
    const subject = uniqueSubject();
    const [idle, active] = [await broker.subscribe(subject), await broker.subscribe(subject)];
    await broker.publish(subject, 'held by the idle one');
    for (let i = 0; i < 6; i++) {
      await sleep(250);
      expect((await broker.fetchMessages(subject, active)).status).toBe(200);
    }
    expect(await broker.fetchMessages(subject, idle)).toMatchObject({ status: 404, body: { message: 'bad id' } });
    expect(broker.get(BrokerService).counters.expiredSubscribers).toBe(1);
    expect((await broker.get(BrokerService).store.stats()).messagesHeld).toBe(0);
    });
  });

  it('keeps a subscriber whose fetch waits longer than the idle timeout', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const service = broker.get(BrokerService);
      // A consumer always inside a long-poll: each fetch waits 3 s, three times the idle timeout.
      const first = await broker.fetchMessages(subject, id, { waitMs: 3000 });
      expect(first).toMatchObject({ status: 200, body: { data: [] } });
      const second = broker.fetchMessages(subject, id, { waitMs: 3000 });
      await eventually(() => service.waiters.size === 1);
      expect((await broker.publish(subject, 'still subscribed')).status).toBe(200);
      expect(await second).toMatchObject({ status: 200, body: { data: ['still subscribed'] } });
      expect(service.counters.expiredSubscribers).toBe(0);
    });
  }, 15_000);

  it('never expires with a timeout of 0', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '0' }, async (broker) => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    await sleep(300);
    expect((await broker.fetchMessages(subject, id)).status).toBe(200);
    });
  });
});
