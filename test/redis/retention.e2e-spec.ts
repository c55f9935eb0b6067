import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { useRedisCluster } from '../support/redis-cluster-suite.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 3
  - subjects: "aged.>"
    max-age: 1
`;

const startBoth = (store: Record<string, string>) => Promise.all([TestBroker.start(store, RULES), TestBroker.start(store, RULES)]);
const replay = async (broker: TestBroker, subject: string, deliver: unknown = 'all') => {
  const { body } = await broker.post('/api/subscribe', { subject, deliver });
  return (await broker.fetchMessages(subject, body.id)).body;
};

/** Retained subjects are kept in Redis: every broker sharing the store sees them, after restarts too. */
describe('retained subjects on brokers sharing one Redis', () => {
  it('keep what one broker took with no subscriber for a replay on another, and across a restart of both', async () => {
    const store = sharedStore();
    const subject = uniqueSubject('kept');
    let before: Array<{ seq: number; time: string }> = [];
    const [a, b] = await startBoth(store);
    try {
      for (const data of ['1', '2', '3', '4']) expect((await a.publish(subject, data)).status).toBe(200);
      const answer = await replay(b, subject);
      expect(answer.data).toEqual(['2', '3', '4']); // max-messages 3: the oldest was dropped
      before = answer.messages;
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const [c, d] = await startBoth(store);
    try {
      const again = await replay(c, subject);
      expect(again.messages).toEqual(before.map((message, i) => ({ ...message, data: String(i + 2) })));
      expect((await d.publish(subject, '5')).status).toBe(200);
      expect((await replay(d, subject, { fromSeq: before[2].seq + 1 })).data).toEqual(['5']);
      expect((await replay(d, subject, { fromTime: before[1].time })).data).toEqual(['3', '4', '5']);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });

  it('drop messages past max-age by the sweep of any broker, with no request on the subject', async () => {
    const store = sharedStore();
    const [a, b] = await startBoth(store);
    try {
      const subject = uniqueSubject('aged');
      for (const data of ['x', 'y', 'z']) expect((await a.publish(subject, data)).status).toBe(200);
      const stats = () => b.get(BrokerService).store.stats();
      expect((await stats()).retained).toBe(3);
      await eventually(async () => (await stats()).retained === 0, 10_000);
      const after = await stats();
      expect([after.retentionDropped.age, after.messagesHeld, after.bytesHeld]).toEqual([3, 0, 0]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** The same on a Redis Cluster of three masters, where the broker-wide room and indexes are in another slot than the subject. */
describe('retained subjects on a Redis Cluster', () => {
  const cluster = useRedisCluster();

  it('take a publish with no subscriber, drop the oldest past the rule, replay on another broker, and expire by age', async () => {
    const store = sharedStore({ REDIS_CLUSTER__NODES: cluster().nodes });
    const [a, b] = await startBoth(store);
    try {
      const kept = uniqueSubject('kept');
      for (const data of ['1', '2', '3', '4']) expect((await a.publish(kept, data)).status).toBe(200);
      const answer = await replay(b, kept);
      expect(answer.data).toEqual(['2', '3', '4']);
      expect((await replay(a, kept, 'last')).data).toEqual(['4']);
      expect((await replay(a, kept, { fromTime: answer.messages[1].time })).data).toEqual(['3', '4']);

      const aged = uniqueSubject('aged');
      expect((await a.publish(aged, 'old')).status).toBe(200);
      // The age sweep empties it: a replay finds nothing, and the broker-wide count of held messages comes back.
      await eventually(async () => (await replay(b, aged)).data.length === 0, 10_000);
      const heldNow = async () => (await a.get(BrokerService).store.stats()).messagesHeld;
      await eventually(async () => (await heldNow()) === 3, 20_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);
});
