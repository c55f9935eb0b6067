import { AsyncPublishQueue } from '../src/async-publish/async-publish.queue.js';
import { BrokerService } from '../src/broker/broker.service.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { itOnMemory } from './support/test-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchUntil(broker: TestBroker, subject: string, id: string, count: number): Promise<string[]> {
  const got: string[] = [];
  for (let attempt = 0; got.length < count && attempt < 200; attempt++) {
    got.push(...(await broker.fetchMessages(subject, id)).body.data);
    if (got.length < count) await sleep(10);
  }
  return got;
}

describe('POST /api/publish/async', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  it('answers 200 ok and delivers the message in the background', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    expect(await broker.post('/api/publish/async', { subject, data: 'later' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await fetchUntil(broker, subject, id, 1)).toEqual(['later']);
  });

  it('keeps the order of one client\'s sequential async publishes', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const data of sent) await broker.post('/api/publish/async', { subject, data });
    expect(await fetchUntil(broker, subject, id, sent.length)).toEqual(sent);
  });

  it('counts a background failure instead of losing it silently', async () => {
    const queue = broker.get(AsyncPublishQueue);
    const before = queue.failures.no_subscriber;
    expect((await broker.post('/api/publish/async', { subject: uniqueSubject(), data: 'x' })).status).toBe(200);
    await queue.drain();
    expect(queue.failures.no_subscriber).toBe(before + 1);
  });

  it('validates the body like publish', async () => {
    expect(await broker.post('/api/publish/async', { subject: 'a..b', data: 'x' })).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
    expect(await broker.post('/api/publish/async', '{')).toMatchObject({ status: 400, body: { message: "request's body is invalid" } });
  });
});

describe('async queue capacity', () => {
  it('answers every request 200 or 429 async queue full, and delivers exactly the accepted ones', async () => {
    await TestBroker.using({ BROKER_ASYNC__QUEUE__CAPACITY: '1' }, async (broker) => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => broker.post('/api/publish/async', { subject, data: `m${i}` })),
    );
    const accepted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    for (const answer of refused) expect(answer).toMatchObject({ status: 429, body: { message: 'async queue full' } });
    await broker.get(AsyncPublishQueue).drain();
    const delivered = await fetchUntil(broker, subject, id, accepted.length);
    expect(delivered).toHaveLength(accepted.length);
    });
  });
});

describe('concurrency', () => {
  it.each(['/api/publish', '/api/publish/async'])('%s: 500 concurrent publishes reach every subscriber once, none lost or doubled', async (route) => {
    await TestBroker.using({}, async (broker) => {
    const subject = uniqueSubject();
    const ids = [await broker.subscribe(subject), await broker.subscribe(subject)];
    const sent = Array.from({ length: 500 }, (_, i) => `message-${i}`);
    const answers = await Promise.all(sent.map((data) => broker.post(route, { subject, data })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await broker.get(AsyncPublishQueue).drain();
    for (const id of ids) {
      const received = await fetchUntil(broker, subject, id, sent.length);
      expect(received).toHaveLength(sent.length);
      expect(new Set(received)).toEqual(new Set(sent));
    }
    expect((await broker.get(BrokerService).store.stats()).messagesHeld).toBe(0);
    });
  });
});

describe('graceful shutdown', () => {
  // Reads the store of the closed app, which only the in-memory store allows; on Redis another
  // instance reads them (test/redis/durability.e2e-spec.ts).
  itOnMemory('puts every accepted async message into the broker before close() resolves', async () => {
    const broker = await TestBroker.start();
    const service = broker.get(BrokerService);
    const subject = uniqueSubject();
    await broker.subscribe(subject);
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => broker.post('/api/publish/async', { subject, data: `${i}` })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await broker.close();
    expect(broker.get(AsyncPublishQueue).depth).toBe(0);
    expect((await service.store.stats()).messagesHeld).toBe(300);
  });

  it('answers a waiting fetch at once instead of holding the shutdown', async () => {
    const broker = await TestBroker.start();
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    const waiting = broker.fetchMessages(subject, id, { waitMs: 30_000 });
    while (broker.get(BrokerService).waiters.size === 0) await sleep(5);
    const started = Date.now();
    await broker.close();
    expect(await waiting).toMatchObject({ status: 200, body: { data: [] } });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
