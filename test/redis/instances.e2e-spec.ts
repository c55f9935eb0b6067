import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { TestBroker, uniqueSubject, type Answer } from '../support/test-broker.js';
import { keysUnder, scrape, sharedStore, sumOver } from './shared-store.js';

/** Instances of the broker on one Redis behave as one broker, whichever instance a request reaches. */
describe('two instances sharing one Redis', () => {
  let store: Record<string, string>;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    store = sharedStore();
    [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('keep everything in Redis under their key prefix, apart from brokers of another prefix', async () => {
    const subject = uniqueSubject('prefix');
    await a.subscribe(subject);
    expect((await a.publish(subject, 'stored')).status).toBe(200);
    // The subject's keys carry it as their hash tag, so that a Redis Cluster keeps them on one node.
    expect(await keysUnder(store.REDIS_KEY__PREFIX)).toContainEqual(expect.stringContaining(`{${subject}}`));

    const otherStore = sharedStore();
    await TestBroker.using(otherStore, async (other) => {
      expect(await other.publish(subject, 'elsewhere')).toMatchObject({ status: 404, body: { message: 'subscriber not found' } });
      const otherSubject = uniqueSubject('prefix.other');
      await other.subscribe(otherSubject);
      expect(await keysUnder(otherStore.REDIS_KEY__PREFIX)).toContainEqual(expect.stringContaining(`{${otherSubject}}`));
      expect(await keysUnder(store.REDIS_KEY__PREFIX)).not.toContainEqual(expect.stringContaining(otherSubject));
    });
  });

  it('serve a subscriber made on one instance on the other: publish, fetch, unsubscribe', async () => {
    const subject = uniqueSubject('across');
    const id = await a.subscribe(subject);
    expect((await b.publish(subject, 'from b')).status).toBe(200);
    expect((await a.publish(subject, 'from a')).status).toBe(200);
    expect(await b.fetchMessages(subject, id)).toMatchObject({ status: 200, body: { subject, id, data: ['from b', 'from a'], remaining: 0 } });
    expect((await a.fetchMessages(subject, id)).body.data).toEqual([]);

    expect(await b.post('/api/unsubscribe', { subject, id })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await a.fetchMessages(subject, id)).toMatchObject({ status: 404, body: { message: 'bad id' } });
    expect(await a.publish(subject, 'nobody')).toMatchObject({ status: 404, body: { message: 'subscriber not found' } });
  });

  it('serve an acknowledged subscriber on both: fetch on one, ack, nack and extend on the other', async () => {
    const subject = uniqueSubject('across.ack');
    const { body: subscription } = await a.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    const id = subscription.id;
    await b.publish(subject, 'first');
    await a.publish(subject, 'second');

    const fetched = await b.fetchMessages(subject, id);
    expect(fetched.body.messages).toEqual([
      { seq: expect.any(Number), data: 'first', deliveries: 1 },
      { seq: expect.any(Number), data: 'second', deliveries: 1 },
    ]);
    const [first, second] = fetched.body.messages.map((message: { seq: number }) => message.seq);
    expect(second).toBeGreaterThan(first);
    expect((await a.fetchMessages(subject, id)).body.data).toEqual([]);

    expect((await a.post('/api/ack', { subject, id, seqs: [first] })).body).toEqual({ acked: 1 });
    expect((await a.post('/api/nack', { subject, id, seqs: [second], delayMs: 0 })).body).toEqual({ nacked: 1 });
    expect((await b.fetchMessages(subject, id)).body.messages).toEqual([{ seq: second, data: 'second', deliveries: 2 }]);
    expect((await a.post('/api/extend', { subject, id, seqs: [second] })).body).toEqual({ extended: 1 });
    expect((await b.post('/api/ack', { subject, id, seqs: [first, second] })).body).toEqual({ acked: 1 });
    expect((await a.fetchMessages(subject, id)).body).toMatchObject({ data: [], remaining: 0 });
  });

  it('answer a fetch waiting on one instance within milliseconds of a publish on the other', async () => {
    const subject = uniqueSubject('wake');
    const id = await a.subscribe(subject);
    const waiting = a.fetchMessages(subject, id, { waitMs: 10_000 });
    await eventually(() => a.get(BrokerService).waiters.size > 0);
    const publishedAt = Date.now();
    expect((await b.publish(subject, 'wake up')).status).toBe(200);
    const answer = await waiting;
    // The p99 of this delay is measured by the benchmark; here, only that nobody waits for waitMs.
    expect(Date.now() - publishedAt).toBeLessThan(200);
    expect(answer.body.data).toEqual(['wake up']);
  });

  /** Fetches `max` at a time on `broker` until nothing is left; with `settle`, acks what it got on `settle`. */
  async function drain(broker: TestBroker, subject: string, id: string, settle?: TestBroker) {
    const got: Array<{ data: string; deliveries?: number }> = [];
    for (;;) {
      const answer: Answer = await broker.fetchMessages(subject, id, { max: 7 });
      expect(answer.status).toBe(200);
      if (answer.body.data.length === 0) return got;
      if (!settle) {
        got.push(...answer.body.data.map((data: string) => ({ data })));
        continue;
      }
      got.push(...answer.body.messages);
      const seqs = answer.body.messages.map((message: { seq: number }) => message.seq);
      expect((await settle.post('/api/ack', { subject, id, seqs })).body).toEqual({ acked: seqs.length });
    }
  }

  async function publishNumbered(subject: string, count: number): Promise<string[]> {
    const data = Array.from({ length: count }, (_, i) => `m${i}`);
    const { body } = await b.post('/api/publish/batch', { messages: data.map((one) => ({ subject, data: one })) });
    expect(body.results).toEqual(data.map(() => ({ status: 'ok' })));
    return data;
  }

  it('never hand the same message to two concurrent fetches on different instances, and lose none', async () => {
    const subject = uniqueSubject('race');
    const id = await a.subscribe(subject);
    const published = await publishNumbered(subject, 300);
    const consumers = await Promise.all([drain(a, subject, id), drain(b, subject, id), drain(a, subject, id), drain(b, subject, id)]);
    const received = consumers.flat().map((message) => message.data);
    expect(received.sort()).toEqual([...published].sort());
  });

  it('never hand the same message in flight to two concurrent fetches, and every ack counts once', async () => {
    const subject = uniqueSubject('race.ack');
    const { body } = await a.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    const published = await publishNumbered(subject, 300);
    const consumers = await Promise.all([drain(a, subject, body.id, b), drain(b, subject, body.id, a), drain(a, subject, body.id, b), drain(b, subject, body.id, a)]);
    const received = consumers.flat();
    expect(received.map((message) => message.data).sort()).toEqual([...published].sort());
    expect(received.every((message) => message.deliveries === 1)).toBe(true);
    expect((await scrape(a)).value('gophermq_messages_in_flight')).toBe(0);
  });
});

describe('limits across instances', () => {
  /** Publishes `count` messages at once, half on each instance; answers the statuses and error messages. */
  async function publishOnBoth(a: TestBroker, b: TestBroker, subject: string, count: number, data = 'x') {
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => (i % 2 ? a : b).publish(subject, data)));
    return answers.map((answer) => (answer.status === 200 ? 200 : `${answer.status} ${answer.body.message}`));
  }

  const accepted = (outcomes: Array<number | string>) => outcomes.filter((outcome) => outcome === 200).length;

  it.each([
    ['broker.max-pending', { BROKER_MAX__PENDING: '10' }, 'x', 10],
    ['broker.max-pending-bytes', { BROKER_MAX__PENDING__BYTES: '50' }, 'xxxxx', 10],
    ['broker.max-pending-per-subject', { BROKER_MAX__PENDING__PER__SUBJECT: '10' }, 'x', 10],
    ['broker.max-pending-bytes-per-subject', { BROKER_MAX__PENDING__BYTES__PER__SUBJECT: '50' }, 'xxxxx', 10],
  ])('%s holds for concurrent publishes on both instances', async (_, limit, data, capacity) => {
    const store = sharedStore(limit);
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subject = uniqueSubject('limit');
      const id = await a.subscribe(subject);
      const outcomes = await publishOnBoth(a, b, subject, 40, data);
      expect(accepted(outcomes)).toBe(capacity);
      expect(outcomes.filter((outcome) => outcome !== 200)).toEqual(Array(40 - capacity).fill('429 broker overflow'));
      expect((await b.fetchMessages(subject, id)).body.data).toHaveLength(capacity);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('broker.max-subscribers holds for concurrent subscribes on both instances', async () => {
    const store = sharedStore({ BROKER_MAX__SUBSCRIBERS: '5' });
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subject = uniqueSubject('limit.subscribers');
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).post('/api/subscribe', { subject })));
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.body.message}`)).toEqual(
        Array(15).fill('429 too many subscribers'),
      );
      expect((await scrape(b)).value('gophermq_subscribers')).toBe(5);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('idle expiry on several instances', () => {
  it('removes idle subscribers from every instance, each counted once over all instances', async () => {
    const store = sharedStore({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' });
    const brokers = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    const [a, b] = brokers;
    try {
      const subjects = Array.from({ length: 10 }, () => uniqueSubject('idle'));
      const ids: string[] = [];
      for (const [i, subject] of subjects.entries()) ids.push(await (i % 2 ? a : b).subscribe(subject));
      // A publish is not activity: it shows both instances see every subscriber, without keeping them alive.
      const held = await Promise.all(subjects.flatMap((subject) => brokers.map((broker) => broker.publish(subject, 'held'))));
      expect(held.map((answer) => answer.status)).toEqual(Array(2 * subjects.length).fill(200));

      await eventually(async () => (await sumOver(brokers, 'gophermq_subscribers_expired_total')) >= subjects.length, 10_000);
      for (const [i, subject] of subjects.entries()) {
        for (const broker of brokers) {
          expect(await broker.fetchMessages(subject, ids[i])).toMatchObject({ status: 404, body: { message: 'bad id' } });
          expect(await broker.publish(subject, 'late')).toMatchObject({ status: 404, body: { message: 'subscriber not found' } });
        }
      }
      // Both instances sweep every 100 ms: by the time a later subscriber has expired too, each has
      // swept past the first ones many times, so a second count of them would show.
      const marker = uniqueSubject('idle.marker');
      await a.subscribe(marker);
      await eventually(async () => (await sumOver(brokers, 'gophermq_subscribers_expired_total')) > subjects.length, 10_000);
      expect(await sumOver(brokers, 'gophermq_subscribers_expired_total')).toBe(subjects.length + 1);
      // Store-wide gauges are read once per monitoring.store-stats-interval-ms.
      await eventually(async () => (await scrape(a)).value('gophermq_subscribers') === 0 && (await scrape(b)).value('gophermq_messages_held') === 0, 5000);
    } finally {
      await Promise.all(brokers.map((broker) => broker.close()));
    }
  }, 30_000);
});

describe('rate limits on instances sharing one Redis', () => {
  it('are counted in Redis: requests past rate-limit.max get 429 whichever instance they reach', async () => {
    const store = { ...sharedStore(), RATE__LIMIT_MAX: '4', RATE__LIMIT_WINDOW__MS: '60000' };
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subject = uniqueSubject('limited');
      const statuses: number[] = [];
      // Two on each instance use the four requests of this client's window; the fifth is refused on either.
      for (const broker of [a, b, a, b, b, a]) statuses.push((await broker.post('/api/subscribe', { subject })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
