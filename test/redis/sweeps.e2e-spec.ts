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
});
