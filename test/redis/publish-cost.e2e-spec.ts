import { Redis } from 'ioredis';
import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { RedisServer } from '../support/redis-server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

/** `INFO <section>` as numbers: `cmdstat_evalsha` → its `calls`, other `name:value` lines as they are. */
async function info(redis: Redis, section: string): Promise<Map<string, number>> {
  const figures = new Map<string, number>();
  for (const line of (await redis.info(section)).split('\r\n')) {
    const calls = /^cmdstat_(\w+):calls=(\d+)/.exec(line);
    if (calls) figures.set(calls[1], Number(calls[2]));
    else {
      const [name, value] = line.split(':');
      if (value !== undefined && /^\d+$/.test(value)) figures.set(name, Number(value));
    }
  }
  return figures;
}

/**
 * What a publish costs on Redis (docs/decisions.md, "The Redis store"): on a single Redis one script
 * and one round trip, the broker-wide limits checked inside the subject's script; and wakes across
 * instances sent once per burst while fetches wait, not once per message.
 */
describe('a publish on the Redis store', () => {
  afterAll(() => RedisServer.killAll());

  it('on a single Redis is one script and one round trip, alone or in a batch', async () => {
    // A Redis of its own: its counters then count this broker's commands only.
    const server = await RedisServer.start();
    const redis = new Redis(server.url);
    try {
      await TestBroker.using(sharedStore({}, server.url), async (broker) => {
        const subject = uniqueSubject('cost');
        await broker.subscribe(subject);
        const count = 50;
        const before = await info(redis, 'all');
        const started = Date.now();
        for (let i = 0; i < count; i++) expect((await broker.publish(subject, `m${i}`)).status).toBe(200);
        const batch = await broker.post('/api/publish/batch', { messages: Array.from({ length: 100 }, (_, i) => ({ subject, data: `b${i}` })) });
        expect(batch.body.results).toHaveLength(100);
        const after = await info(redis, 'all');
        const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
        // The broker's background work (sweeps, reports) sends a few calls a second: allowed for, by the time taken.
        const background = 5 + Math.ceil((5 * (Date.now() - started)) / 1000);
        // One publish script per publish and one per batch (the first sent whole, EVAL, once).
        const scripts = delta('evalsha') + delta('eval');
        expect(scripts).toBeGreaterThanOrEqual(count + 1);
        expect(scripts).toBeLessThan(count + 1 + background);
        // Every read of a client socket is a round trip here (one request at a time), this test's two INFO included.
        expect(delta('total_reads_processed')).toBeLessThan(count + 1 + 2 + background);
      });
    } finally {
      redis.disconnect();
    }
  });

  it('answers publishes sent together each on its own, whatever the others got', async () => {
    await TestBroker.using(sharedStore({ BROKER_MAX__PENDING__PER__SUBJECT: '3' }), async (broker) => {
      const [open, full, nobody] = [uniqueSubject('together.open'), uniqueSubject('together.full'), uniqueSubject('together.nobody')];
      const id = await broker.subscribe(open);
      await broker.subscribe(full);
      // Interleaved, so that one turn's batch holds runs of all three subjects; `full` gets one past its limit.
      const sent = [...Array.from({ length: 9 }, (_, i) => ({ subject: [open, full, nobody][i % 3], data: `m${i}` })), { subject: full, data: 'm9' }];
      const answers = await Promise.all(sent.map(({ subject, data }) => broker.publish(subject, data)));
      const statuses = (subject: string) => answers.filter((_, i) => sent[i].subject === subject).map(({ status }) => status);
      expect(statuses(open)).toEqual([200, 200, 200]);
      expect(statuses(nobody)).toEqual([404, 404, 404]);
      expect(statuses(full).sort()).toEqual([200, 200, 200, 429]);
      expect((await broker.fetchMessages(open, id)).body.data.sort()).toEqual(['m0', 'm3', 'm6']);
    });
  });

  describe('with fetches waiting on another instance', () => {
    let store: Record<string, string>;
    let a: TestBroker;
    let b: TestBroker;
    let listener: Redis;
    const wakes: string[] = [];

    beforeAll(async () => {
      store = sharedStore();
      [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
      listener = new Redis(store.REDIS_URL);
      listener.on('message', (_channel: string, message: string) => wakes.push(message));
      await listener.subscribe(`${store.REDIS_KEY__PREFIX}wake`);
    });
    afterAll(async () => {
      listener?.disconnect();
      await Promise.all([a?.close(), b?.close()]);
    });

    /** The wakes for published messages of `subject` heard on the store's channel so far. */
    const publishWakes = (subject: string) => wakes.filter((message) => message.startsWith('p\n') && message.endsWith(`\n${subject}`)).length;

    it('sends a few wakes for a burst of publishes, not one per message, and loses none', async () => {
      const subject = uniqueSubject('burst');
      const id = await a.subscribe(subject);
      const waiting = a.fetchMessages(subject, id, { waitMs: 10_000, max: 1 });
      await eventually(() => a.get(BrokerService).waiters.size > 0);
      const burst = 50;
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: burst }, (_, i) => b.publish(subject, `m${i}`)));
      expect(answers.map(({ status }) => status)).toEqual(answers.map(() => 200));
      const woken = await waiting;
      expect(Date.now() - started).toBeLessThan(2000);
      expect(woken.body.data).toHaveLength(1);
      // Every message is there for the subscriber.
      const rest = await a.fetchMessages(subject, id);
      expect([...woken.body.data, ...rest.body.data].sort()).toEqual(Array.from({ length: burst }, (_, i) => `m${i}`).sort());
      await eventually(() => publishWakes(subject) > 0);
      expect(publishWakes(subject)).toBeLessThanOrEqual(5);

      // A fetch that waits after the burst is woken by the next publish all the same.
      const again = a.fetchMessages(subject, id, { waitMs: 10_000 });
      await eventually(() => a.get(BrokerService).waiters.size > 0);
      const publishedAt = Date.now();
      expect((await b.publish(subject, 'after')).status).toBe(200);
      expect((await again).body.data).toEqual(['after']);
      expect(Date.now() - publishedAt).toBeLessThan(1000);
    });

    it('wakes every parked fetch of a subscriber that a burst has messages for', async () => {
      const subject = uniqueSubject('burst.competing');
      const id = await a.subscribe(subject);
      const parked = Array.from({ length: 3 }, () => a.fetchMessages(subject, id, { waitMs: 10_000, max: 1 }));
      await eventually(() => a.get(BrokerService).waiters.size >= 3);
      const started = Date.now();
      for (let i = 0; i < 3; i++) expect((await b.publish(subject, `m${i}`)).status).toBe(200);
      const answers = await Promise.all(parked);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(answers.flatMap(({ body }) => body.data).sort()).toEqual(['m0', 'm1', 'm2']);
    });
  });
});
