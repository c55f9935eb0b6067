import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import type { RedisCluster } from '../support/redis-server.js';
import { useRedisCluster } from '../support/redis-cluster-suite.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { scrape, sharedStore } from './shared-store.js';

// The same retained subjects on the three stores: memory (the reference), one Redis, and a Redis
// Cluster of three masters, where the broker-wide ledger is in another slot than the subjects and
// only learns their counts from their scripts' reports.

const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 3
  - subjects: "pair.>"
    max-messages: 2
  - subjects: "sized.>"
    max-bytes: 10
  - subjects: "aged.>"
    max-age: 1
  - subjects: "capped.>"
    max-messages: 1
    discard: new
`;

/** A broker of each store with these settings: memory, one Redis, a Cluster. */
async function brokersOfEachStore(cluster: RedisCluster, settings: Record<string, string> = {}): Promise<TestBroker[]> {
  const quick = { MONITORING_STORE__STATS__INTERVAL__MS: '0', ...settings };
  return Promise.all([
    TestBroker.start({ BROKER_STORE: 'memory', ...quick }, RULES),
    TestBroker.start(sharedStore(quick), RULES),
    TestBroker.start(sharedStore({ REDIS_CLUSTER__NODES: cluster.nodes, ...quick }), RULES),
  ]);
}

/** Subjects `<kind>.…` whose keys live on `count` different masters of the Cluster. */
async function onDifferentMasters(cluster: RedisCluster, kind: string, count: number): Promise<string[]> {
  const found = new Map<unknown, string>();
  while (found.size < count) {
    const subject = uniqueSubject(kind);
    const master = await cluster.masterOf(subject);
    if (!found.has(master)) found.set(master, subject);
  }
  return [...found.values()];
}

const RETENTION_METRICS = [
  ['gophermq_messages_retained', {}],
  ['gophermq_messages_retained_bytes', {}],
  ['gophermq_retention_dropped_total', { reason: 'age' }],
  ['gophermq_retention_dropped_total', { reason: 'messages' }],
  ['gophermq_retention_dropped_total', { reason: 'bytes' }],
  ['gophermq_messages_held', {}],
  ['gophermq_messages_held_bytes', {}],
] as const;

/** The retention figures of one broker's /metrics, by name and reason. */
async function retentionFigures(broker: TestBroker): Promise<Record<string, number>> {
  const page = await scrape(broker);
  return Object.fromEntries(RETENTION_METRICS.map(([name, labels]) => [`${name}${JSON.stringify(labels)}`, page.value(name, labels)]));
}

async function closeAll(brokers: TestBroker[]): Promise<void> {
  await Promise.all(brokers.map((broker) => broker.close()));
}

describe('retained subjects on memory, one Redis and a Redis Cluster', () => {
  const cluster = useRedisCluster();

  it('count retained messages, their bytes and what each rule dropped the same, over subjects of every slot', async () => {
    const brokers = await brokersOfEachStore(cluster());
    try {
      const kept = await onDifferentMasters(cluster(), 'kept', 3);
      const sized = await onDifferentMasters(cluster(), 'sized', 2);
      const aged = await onDifferentMasters(cluster(), 'aged', 2);
      for (const broker of brokers) {
        for (const subject of kept) for (const data of ['k1', 'k2', 'k3', 'k4', 'k5']) expect((await broker.publish(subject, data)).status).toBe(200);
        for (const subject of sized) for (const data of ['aaaa', 'bbbb', 'cccc', 'dddd']) expect((await broker.publish(subject, data)).status).toBe(200);
        for (const subject of aged) for (const data of ['old', 'older']) expect((await broker.publish(subject, data)).status).toBe(200);
      }
      // Each kept subject keeps its 3 newest of 5 (2 bytes each), each sized one the 2 newest of 4
      // (8 bytes of max 10); every aged one is emptied by the age sweep.
      const expected = {
        'gophermq_messages_retained{}': 3 * 3 + 2 * 2,
        'gophermq_messages_retained_bytes{}': 3 * 6 + 2 * 8,
        'gophermq_retention_dropped_total{"reason":"age"}': 2 * 2,
        'gophermq_retention_dropped_total{"reason":"messages"}': 3 * 2,
        'gophermq_retention_dropped_total{"reason":"bytes"}': 2 * 2,
        'gophermq_messages_held{}': 3 * 3 + 2 * 2,
        'gophermq_messages_held_bytes{}': 3 * 6 + 2 * 8,
      };
      const [memory, ...redis] = brokers;
      await eventually(async () => (await retentionFigures(memory))['gophermq_retention_dropped_total{"reason":"age"}'] === 4, 10_000);
      expect(await retentionFigures(memory)).toEqual(expected);
      for (const broker of redis) {
        await eventually(async () => JSON.stringify(await retentionFigures(broker)) === JSON.stringify(expected), 20_000).catch(async () => {
          expect(await retentionFigures(broker)).toEqual(expected);
        });
      }
      // And the stats the figures come from.
      const stats = await Promise.all(brokers.map(async (broker) => {
        const { retained, retainedBytes, retentionDropped, messagesHeld, bytesHeld } = await broker.get(BrokerService).store.stats();
        return { retained, retainedBytes, retentionDropped, messagesHeld, bytesHeld };
      }));
      expect(stats[1]).toEqual(stats[0]);
      expect(stats[2]).toEqual(stats[0]);
    } finally {
      await closeAll(brokers);
    }
  }, 90_000);

  it('take a publish to a full retained subject with discard old when the broker holds its most messages, as its drop makes room', async () => {
    const brokers = await brokersOfEachStore(cluster(), { BROKER_MAX__PENDING: '3' });
    try {
      const kept = uniqueSubject('kept');
      const capped = uniqueSubject('capped');
      const plain = uniqueSubject('plain');
      const answers = await Promise.all(brokers.map(async (broker) => {
        await broker.subscribe(plain);
        const statuses: number[] = [];
        for (const data of ['1', '2', '3', '4', '5']) statuses.push((await broker.publish(kept, data)).status);
        // Full: what drops nothing has no room.
        statuses.push((await broker.publish(plain, 'p')).status, (await broker.publish(capped, 'c')).status);
        const { body } = await broker.post('/api/subscribe', { subject: kept, deliver: 'all' });
        return { statuses, kept: (await broker.fetchMessages(kept, body.id)).body.data };
      }));
      expect(answers[0]).toEqual({ statuses: [200, 200, 200, 200, 200, 429, 429], kept: ['3', '4', '5'] });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    } finally {
      await closeAll(brokers);
    }
  }, 60_000);

  it('take a batch to a full retained subject with discard old, and refuse what drops nothing, when the broker holds its most messages', async () => {
    const brokers = await brokersOfEachStore(cluster(), { BROKER_MAX__PENDING: '3' });
    try {
      const kept = uniqueSubject('kept');
      const plain = uniqueSubject('plain');
      const answers = await Promise.all(brokers.map(async (broker) => {
        await broker.subscribe(plain);
        const messages = ['1', '2', '3', '4', '5'].map((data) => ({ subject: kept, data }));
        const first = await broker.post('/api/publish/batch', { messages });
        const second = await broker.post('/api/publish/batch', { messages: [{ subject: kept, data: '6' }, { subject: plain, data: 'p' }, { subject: kept, data: '7' }] });
        const { body } = await broker.post('/api/subscribe', { subject: kept, deliver: 'all' });
        return { first: first.body, second: second.body, kept: (await broker.fetchMessages(kept, body.id)).body.data };
      }));
      const ok = { status: 'ok' };
      expect(answers[0]).toEqual({
        first: { results: [ok, ok, ok, ok, ok] },
        second: { results: [ok, { message: 'broker overflow' }, ok] },
        kept: ['5', '6', '7'],
      });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    } finally {
      await closeAll(brokers);
    }
  }, 60_000);

  // Known difference (docs/decisions.md, "Retained subjects and replay"): on a Cluster, room that a
  // retained subject's drops free beyond what its own message needs is seen by the other subjects
  // of a batch only once its script's counts are reported, just after it.
  it.failing('let a batch use, for another subject, the room a retained subject freed earlier in it', async () => {
    const brokers = await brokersOfEachStore(cluster(), { BROKER_MAX__PENDING: '3' });
    try {
      const kept = uniqueSubject('pair');
      const plain = uniqueSubject('plain');
      const answers = await Promise.all(brokers.map(async (broker) => {
        await broker.subscribe(plain);
        // 2 held of 3: `kept` full at 2; its next drops one, so the broker keeps room for one more.
        for (const data of ['1', '2']) await broker.publish(kept, data);
        const { body } = await broker.post('/api/publish/batch', { messages: [{ subject: kept, data: '3' }, { subject: plain, data: 'p' }] });
        return body;
      }));
      expect(answers[0]).toEqual({ results: [{ status: 'ok' }, { status: 'ok' }] });
      expect(answers[2]).toEqual(answers[0]);
    } finally {
      await closeAll(brokers);
    }
  }, 60_000);

  it('take a publish to a retained subject with discard old when its drop and the room left together fit the broker-wide bytes', async () => {
    const brokers = await brokersOfEachStore(cluster(), { BROKER_MAX__PENDING__BYTES: '10' });
    try {
      const [pair, other] = await onDifferentMasters(cluster(), 'pair', 2);
      const answers = await Promise.all(brokers.map(async (broker) => {
        const statuses: number[] = [];
        // 9 bytes held of 10: `pair` full at 2 messages of 3 bytes.
        for (const [subject, data] of [[pair, 'aaa'], [pair, 'bbb'], [other, 'ooo']]) statuses.push((await broker.publish(subject, data)).status);
        // 4 bytes: dropping `aaa` frees 3, and 1 is left: it fits (10 held).
        statuses.push((await broker.publish(pair, 'cccc')).status);
        // 2 bytes to `other`, which drops nothing: no room.
        statuses.push((await broker.publish(other, 'dd')).status);
        // 5 bytes to `pair`: dropping `bbb` frees 3, not enough.
        statuses.push((await broker.publish(pair, 'eeeee')).status);
        const { body } = await broker.post('/api/subscribe', { subject: pair, deliver: 'all' });
        return { statuses, pair: (await broker.fetchMessages(pair, body.id)).body.data };
      }));
      expect(answers[0]).toEqual({ statuses: [200, 200, 200, 200, 429, 429], pair: ['bbb', 'cccc'] });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      const held = async (broker: TestBroker) => (await broker.get(BrokerService).store.stats()).bytesHeld;
      await eventually(async () => (await held(brokers[2])) === 10, 10_000);
      expect(await Promise.all(brokers.map(held))).toEqual([10, 10, 10]);
    } finally {
      await closeAll(brokers);
    }
  }, 60_000);
});
