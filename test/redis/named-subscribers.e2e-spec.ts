import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { useRedisCluster } from '../support/redis-cluster-suite.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { keysUnder, sharedStore } from './shared-store.js';

/** A name is kept in Redis: every instance sharing the store, and every restart of one, answers the same subscriber. */
describe('named subscribers on brokers sharing one Redis', () => {
  let store: Record<string, string>;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    store = sharedStore();
    [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('give the same id for a name on either instance, also when both subscribe at once, and create one subscriber', async () => {
    const subject = uniqueSubject('named');
    const request = { subject, name: 'shared', ackWaitMs: 5000 };
    const answers = await Promise.all([a, b, a, b].map((broker) => broker.post('/api/subscribe', request)));
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map(({ body }) => body.id)).size).toBe(1);
    expect((await a.get(BrokerService).store.stats()).subscribers).toBe(1);
    expect(await b.post('/api/subscribe', { ...request, ackWaitMs: 6000 })).toMatchObject({ status: 409, body: { message: 'subscriber exists with other settings' } });
  });

  it('share the messages between consumers on both instances, and free the name on unsubscribe on either', async () => {
    const subject = uniqueSubject('named.pool');
    const id = (await a.post('/api/subscribe', { subject, name: 'pool' })).body.id;
    expect((await b.post('/api/subscribe', { subject, name: 'pool' })).body.id).toBe(id);
    for (let i = 0; i < 6; i++) await (i % 2 ? a : b).publish(subject, `m${i}`);
    const first = (await a.fetchMessages(subject, id, { max: 3 })).body.data;
    const second = (await b.fetchMessages(subject, id, { max: 3 })).body.data;
    expect([...first, ...second]).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);

    expect((await b.post('/api/unsubscribe', { subject, id })).status).toBe(200);
    const renewed = (await a.post('/api/subscribe', { subject, name: 'pool' })).body.id;
    expect(renewed).not.toBe(id);
    expect((await b.post('/api/subscribe', { subject, name: 'pool' })).body.id).toBe(renewed);
  });

  it('never put the name into a key: it is a field of the subject hash', async () => {
    const subject = uniqueSubject('named.keys');
    await a.post('/api/subscribe', { subject, name: 'NotAKeyPart' });
    const keys = await keysUnder(store.REDIS_KEY__PREFIX);
    expect(keys.filter((key) => key.includes(subject)).length).toBeGreaterThan(0);
    expect(keys.filter((key) => key.includes('NotAKeyPart'))).toEqual([]);
  });

  it('keep a name, its id and what it holds across a broker restart', async () => {
    const restartStore = sharedStore();
    const subject = uniqueSubject('named.restart');
    const request = { subject, name: 'durable', ackWaitMs: 5000, maxDeliveries: 2 };
    let id = '';
    await TestBroker.using(restartStore, async (broker) => {
      id = (await broker.post('/api/subscribe', request)).body.id;
      await broker.publish(subject, 'before the restart');
    });
    await TestBroker.using(restartStore, async (broker) => {
      expect(await broker.post('/api/subscribe', request)).toMatchObject({ status: 200, body: { id, name: 'durable', maxDeliveries: 2 } });
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['before the restart']);
      expect((await broker.post('/api/subscribe', { ...request, maxDeliveries: 3 })).status).toBe(409);
    });
  });
});

/** The same on a Redis Cluster of three masters, where the broker-wide room and indexes are in another slot than the subject. */
describe('named subscribers on a Redis Cluster', () => {
  const cluster = useRedisCluster();

  it('give the same id on either instance, count once against broker.max-subscribers, and expire after broker.named-subscriber-idle-timeout', async () => {
    const store = sharedStore({ REDIS_CLUSTER__NODES: cluster().nodes, BROKER_MAX__SUBSCRIBERS: '1', BROKER_NAMED__SUBSCRIBER__IDLE__TIMEOUT: '2' });
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subject = uniqueSubject('cluster.named');
      const id = (await a.post('/api/subscribe', { subject, name: 'one' })).body.id;
      // At the limit: the name still answers (its reservation of room refused), a new one does not.
      expect(await b.post('/api/subscribe', { subject, name: 'one' })).toMatchObject({ status: 200, body: { id } });
      expect(await b.post('/api/subscribe', { subject, name: 'two' })).toMatchObject({ status: 429, body: { message: 'too many subscribers' } });
      expect((await b.post('/api/subscribe', { subject, name: 'one', ackWaitMs: 5000 })).status).toBe(409);
      expect((await b.publish(subject, 'across')).status).toBe(200);
      expect((await a.fetchMessages(subject, id)).body.data).toEqual(['across']);

      // Whichever instance sweeps first removes it (a fetch here would be activity: count instead).
      const expired = () => a.get(BrokerService).counters.expiredSubscribers + b.get(BrokerService).counters.expiredSubscribers;
      await eventually(() => expired() === 1, 15_000);
      expect((await a.fetchMessages(subject, id)).status).toBe(404);
      // Its room came back: a new subscriber fits again (the ledger catches up in the background).
      await eventually(async () => (await b.post('/api/subscribe', { subject, name: 'one' })).status === 200, 10_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
