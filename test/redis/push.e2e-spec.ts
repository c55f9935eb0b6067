import { BrokerProcess } from '../support/broker-process.js';
import { eventually } from '../support/eventually.js';
import { PushReceiver } from '../support/push-receiver.js';
import { useRedisCluster } from '../support/redis-cluster-suite.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { scrape, sharedStore } from './shared-store.js';

/** Push subscribers on a store shared by instances: every instance pushes, each message from one at a time. */
describe('push subscribers on a shared Redis', () => {
  let receiver: PushReceiver;
  let push: Record<string, string>;

  beforeAll(async () => {
    receiver = await PushReceiver.start();
    push = { PUSH_ALLOWED__URLS: `${receiver.origin}/hooks/`, PUSH_TIMEOUT__MS: '3000' };
  });
  afterAll(() => receiver?.close());
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.maxActive = 0;
    receiver.reply = () => ({ status: 204 });
  });
  afterEach(() => BrokerProcess.killAll());

  const pushes = (subject: string) => receiver.received.filter(({ body }) => body.subject === subject);
  const twoxx = async (broker: TestBroker) => (await scrape(broker)).value('gophermq_push_requests_total', { outcome: '2xx' });

  it('are pushed by both instances, never more than pushConcurrency at once over both, each message once', async () => {
    const store = sharedStore(push);
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subject = uniqueSubject('push.shared');
      receiver.reply = async () => {
        await new Promise((resolve) => setTimeout(resolve, 15));
        return { status: 204 };
      };
      expect((await a.post('/api/subscribe', { subject, pushUrl: `${receiver.origin}/hooks/shared`, pushConcurrency: 4 })).status).toBe(200);
      // b learns of it from the registry.
      await eventually(async () => (await scrape(b)).value('gophermq_push_subscribers') === 1, 10_000);
      const [aBefore, bBefore] = [await twoxx(a), await twoxx(b)];
      const sent = Array.from({ length: 120 }, (_, i) => `m${i}`);
      await Promise.all(sent.map((data, i) => (i % 2 ? a : b).publish(subject, data)));
      await eventually(() => pushes(subject).length >= sent.length, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pushes(subject).map(({ body }) => body.data).sort()).toEqual([...sent].sort());
      expect(receiver.maxActive).toBeLessThanOrEqual(4);
      expect(await twoxx(a)).toBeGreaterThan(aBefore);
      expect(await twoxx(b)).toBeGreaterThan(bBefore);

      // Unsubscribed on one instance: the other stops too.
      const { id } = pushes(subject)[0].body;
      expect((await b.post('/api/unsubscribe', { subject, id })).status).toBe(200);
      await eventually(async () => (await scrape(a)).value('gophermq_push_subscribers') === 0, 10_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('leave the messages of an instance killed mid-push to another, after their deadline', async () => {
    const store = sharedStore(push);
    const a = await BrokerProcess.start(store);
    const subject = uniqueSubject('push.killed');
    receiver.reply = () => 'hang';
    const { body: subscription } = await a.post('/api/subscribe', { subject, pushUrl: `${receiver.origin}/hooks/killed`, pushConcurrency: 5, ackWaitMs: 4000 });
    for (let i = 0; i < 5; i++) expect((await a.post('/api/publish', { subject, data: `held ${i}` })).status).toBe(200);
    await eventually(() => pushes(subject).length === 5);

    // b, started after the subscribe, learns of it from the store; a dies with the five in flight.
    const b = await TestBroker.start(store);
    try {
      a.child.kill('SIGKILL');
      await a.exited;
      receiver.reply = () => ({ status: 204 });
      await eventually(() => pushes(subject).filter(({ body }) => body.deliveries === 2).length === 5, 15_000);
      expect(
        pushes(subject)
          .filter(({ body }) => body.deliveries === 2)
          .map(({ body }) => body.data)
          .sort(),
      ).toEqual(['held 0', 'held 1', 'held 2', 'held 3', 'held 4']);
      // And new messages, from b alone.
      expect((await b.publish(subject, 'after')).status).toBe(200);
      await eventually(() => pushes(subject).some(({ body }) => body.data === 'after' && body.deliveries === 1));
      await eventually(async () => (await b.fetchMessages(subject, subscription.id)).body.remaining === 0);
    } finally {
      await b.close();
    }
  });

  it('are pushed after every instance restarted', async () => {
    const store = sharedStore(push);
    const first = await TestBroker.start(store);
    const subject = uniqueSubject('push.restart');
    expect((await first.post('/api/subscribe', { subject, pushUrl: `${receiver.origin}/hooks/restart` })).status).toBe(200);
    await first.close();
    await TestBroker.using(store, async (second) => {
      expect((await second.publish(subject, 'after the restart')).status).toBe(200);
      await eventually(() => pushes(subject).length === 1, 10_000);
      expect(pushes(subject)[0].body).toMatchObject({ data: 'after the restart', deliveries: 1 });
    });
  });
});

describe('push subscribers on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let receiver: PushReceiver;

  beforeAll(async () => {
    receiver = await PushReceiver.start();
  });
  afterAll(() => receiver?.close());

  it('are listed and pushed by both instances', async () => {
    const store = sharedStore({ REDIS_CLUSTER__NODES: cluster().nodes, PUSH_ALLOWED__URLS: `${receiver.origin}/hooks/` });
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    try {
      const subjects = [uniqueSubject('push.cluster'), uniqueSubject('push.cluster'), uniqueSubject('push.cluster')];
      for (const subject of subjects) expect((await a.post('/api/subscribe', { subject, pushUrl: `${receiver.origin}/hooks/c` })).status).toBe(200);
      await eventually(async () => (await scrape(b)).value('gophermq_push_subscribers') === 3, 10_000);
      for (const subject of subjects) for (let i = 0; i < 10; i++) expect((await b.publish(subject, `${subject} ${i}`)).status).toBe(200);
      await eventually(() => receiver.received.length >= 30, 15_000);
      for (const subject of subjects) {
        expect(
          receiver.received
            .filter(({ body }) => body.subject === subject)
            .map(({ body }) => body.data)
            .sort(),
        ).toEqual(Array.from({ length: 10 }, (_, i) => `${subject} ${i}`).sort());
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
