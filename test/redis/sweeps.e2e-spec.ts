import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { redisCli } from '../support/redis-server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { runRedisUrl, scrape, sharedStore } from './shared-store.js';

const redisPort = () => Number(new URL(runRedisUrl()).port);
const redis = (...args: string[]) => redisCli(redisPort(), ...args);

/** A subject whose keys hold the wrong type, so every script on it fails. */
async function poison(prefix: string, index: 'due' | 'idle', subject: string): Promise<void> {
  // The due set and the activity set: the scripts of the redelivery and expiry sweeps read them.
  // Broken first, then listed: a sweep in between would find the subject healthy and unlist it.
  expect(await redis('SET', `${prefix}{${subject}}:${index === 'due' ? 'dq' : 'a'}`, 'not a sorted set')).toBe('OK');
  expect(await redis('ZADD', `${prefix}{~}:${index}`, '1', subject)).toBe('1');
}

/** One subject whose keys cannot be read must not stop the background work of every other subject. */
describe('the Redis store\'s sweeps past a subject that fails', () => {
  it('redeliveries go on for every other subject, and the failure is counted', async () => {
    const store = sharedStore();
    await TestBroker.using(store, async (broker) => {
      await poison(store.REDIS_KEY__PREFIX, 'due', 'poison.x');
      const subject = uniqueSubject('healthy');
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 1000 });
      await broker.publish(subject, 'redeliver me');
      expect((await broker.fetchMessages(subject, body.id)).body.messages).toHaveLength(1);
      // Its deadline passes in a second; the sweep must reach it past poison.x, which sorts first.
      await eventually(async () => (await broker.fetchMessages(subject, body.id)).body.messages?.[0]?.deliveries === 2, 8000);
      expect((await scrape(broker)).value('gophermq_store_sweep_failures_total', { sweep: 'redelivery' })).toBeGreaterThan(0);
    });
  });

  it('idle subscribers of every other subject expire, and the failure is counted', async () => {
    const store = sharedStore({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' });
    await TestBroker.using(store, async (broker) => {
      await poison(store.REDIS_KEY__PREFIX, 'idle', 'poison.y');
      const subjects = Array.from({ length: 20 }, () => uniqueSubject('idle'));
      const ids = await Promise.all(subjects.map((subject) => broker.subscribe(subject)));
      // Not by fetching, which is activity: by the expiry count.
      await eventually(() => broker.get(BrokerService).counters.expiredSubscribers === subjects.length, 10_000);
      const answers = await Promise.all(subjects.map((subject, i) => broker.fetchMessages(subject, ids[i])));
      expect(answers.map(({ status }) => status)).toEqual(subjects.map(() => 404));
      expect((await scrape(broker)).value('gophermq_store_sweep_failures_total', { sweep: 'expiry' })).toBeGreaterThan(0);
    });
  });

  it('a subscribe that fails leaves no subscriber counted and no index entry behind', async () => {
    const store = sharedStore({ BROKER_MAX__SUBSCRIBERS: '3' });
    await TestBroker.using(store, async (broker) => {
      const prefix = store.REDIS_KEY__PREFIX;
      expect(await redis('SET', `${prefix}{poison.z}:m`, 'not a hash')).toBe('OK');
      for (let i = 0; i < 5; i++) expect(await broker.post('/api/subscribe', { subject: 'poison.z' })).toMatchObject({ status: 503, body: { message: 'store unavailable' } });
      expect(await redis('ZSCORE', `${prefix}{~}:idle`, 'poison.z')).toBe('');
      // All three subscribers of broker.max-subscribers can still be made.
      for (let i = 0; i < 3; i++) expect((await broker.post('/api/subscribe', { subject: uniqueSubject('after') })).status).toBe(200);
    });
  });

  // Redis keeps what a script wrote before the command that failed: a subscribe that failed on its
  // activity index (or its positions) left a subscriber nobody has, which held every later publish.
  it.each(['a', 'p', 'an'])('a subscribe that fails on a corrupt :%s key leaves no subscriber behind, so later publishes find none', async (part) => {
    const store = sharedStore();
    await TestBroker.using(store, async (broker) => {
      const subject = uniqueSubject('corrupt');
      const corrupt = `${store.REDIS_KEY__PREFIX}{${subject}}:${part}`;
      expect(await redis('SET', corrupt, 'not a sorted set')).toBe('OK');
      const refused = await broker.post('/api/subscribe', part === 'an' ? { subject, name: 'durable' } : { subject });
      expect(refused).toMatchObject({ status: 503, body: { message: 'store unavailable' } });
      expect(await redis('DEL', corrupt)).toBe('1');
      for (let i = 0; i < 3; i++) expect(await broker.publish(subject, 'nobody has it')).toMatchObject({ status: 404, body: { message: 'subscriber not found' } });
      const stats = await broker.get(BrokerService).store.stats();
      expect({ held: stats.messagesHeld, subscribers: stats.subscribers }).toEqual({ held: 0, subscribers: 0 });
    });
  });

  it.each(['u', 'n', 'f'])('a fetch that fails on a corrupt :%s:<id> key changes nothing: the messages are delivered once it is gone', async (part) => {
    const store = sharedStore();
    await TestBroker.using(store, async (broker) => {
      const subject = uniqueSubject('corrupt');
      const { body: subscriber } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
      for (const data of ['one', 'two', 'three']) expect((await broker.publish(subject, data)).status).toBe(200);
      const corrupt = `${store.REDIS_KEY__PREFIX}{${subject}}:${part}:${subscriber.id}`;
      expect(await redis('SET', corrupt, 'corrupt')).toBe('OK');
      expect(await broker.post('/api/fetch', { subject, id: subscriber.id })).toMatchObject({ status: 503, body: { message: 'store unavailable' } });
      expect(await redis('DEL', corrupt)).toBe('1');
      const { body } = await broker.post('/api/fetch', { subject, id: subscriber.id });
      expect(body.messages.map(({ data, deliveries }: { data: string; deliveries: number }) => ({ data, deliveries }))).toEqual(
        ['one', 'two', 'three'].map((data) => ({ data, deliveries: 1 })),
      );
      expect((await broker.get(BrokerService).store.stats()).inFlight).toBe(3);
    });
  });
});
