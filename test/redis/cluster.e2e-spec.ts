import { BrokerService } from '../../src/broker/broker.service.js';
import { eventually } from '../support/eventually.js';
import { RedisCluster, RedisServer } from '../support/redis-server.js';
import { useRedisCluster } from '../support/redis-cluster-suite.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { uniqueKeyPrefix } from '../support/test-store.js';
import { scrape, sharedStore } from './shared-store.js';

/** Two instances on a Redis Cluster of three masters (redis.cluster-nodes), through the main flows. */
describe('two instances on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let store: Record<string, string>;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    // REDIS_URL stays the run's single Redis: with cluster-nodes set, the broker must not use it.
    store = sharedStore({ REDIS_CLUSTER__NODES: cluster.nodes });
    [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await cluster?.stop();
    RedisServer.killAll();
  });

  /** One subject per master: a subject's keys carry it as their hash tag, so they hash as it does. */
  async function subjectOnEveryMaster(): Promise<Map<RedisServer, string>> {
    const subjects = new Map<RedisServer, string>();
    while (subjects.size < cluster.servers.length) {
      const subject = uniqueSubject('cluster');
      const master = await cluster.masterOf(subject);
      if (!subjects.has(master)) subjects.set(master, subject);
    }
    return subjects;
  }

  it('subscribe, publish, fetch and unsubscribe on subjects of every master, across instances', async () => {
    const subjects = await subjectOnEveryMaster();
    for (const [master, subject] of subjects) {
      const id = await a.subscribe(subject);
      expect((await b.publish(subject, `to ${subject}`)).status).toBe(200);
      expect((await a.fetchMessages(subject, id)).body).toEqual({ subject, id, data: [`to ${subject}`], remaining: 0 });
      const keysOnMaster = (await master.command('--scan', '--pattern', `${store.REDIS_KEY__PREFIX}*`)).split('\n');
      expect(keysOnMaster).toContainEqual(expect.stringContaining(`{${subject}}`));

      expect((await b.post('/api/unsubscribe', { subject, id })).status).toBe(200);
      expect(await a.fetchMessages(subject, id)).toMatchObject({ status: 404, body: { message: 'bad id' } });
    }
  });

  it('lists, peeks and purges subjects of every master through the management API, and unlists a subject gone', async () => {
    const subjects = [...(await subjectOnEveryMaster()).values()];
    const root = subjects[0].split('.').slice(0, 2).join('.');
    const ids = await Promise.all(subjects.map((subject) => a.subscribe(subject)));
    for (const subject of subjects) await b.publish(subject, `to ${subject}`);
    const list = async () => (await (await fetch(`${b.url}/api/admin/subjects?prefix=${encodeURIComponent(root + '.')}`)).json()) as { subjects: Array<{ subject: string; pending: number }> };
    const listed = (await list()).subjects.filter(({ subject }) => subjects.includes(subject));
    expect(listed).toEqual([...subjects].sort().map((subject) => expect.objectContaining({ subject, subscribers: 1, pending: 1, pendingBytes: `to ${subject}`.length })));
    expect((await a.post('/api/admin/peek', { subject: subjects[1] })).body.messages).toEqual([{ seq: expect.any(Number), data: `to ${subjects[1]}` }]);
    expect((await a.post('/api/admin/purge', { subject: subjects[1] })).body).toEqual({ purged: 1 });
    expect((await b.fetchMessages(subjects[1], ids[1])).body.data).toEqual([]);
    expect((await a.post('/api/admin/unsubscribe', { subject: subjects[2], id: ids[2] })).body).toEqual({ status: 'ok' });
    expect((await list()).subjects.map(({ subject }) => subject)).not.toContain(subjects[2]);
    expect(((await (await fetch(`${a.url}/api/admin/stats`)).json()) as { instances: unknown }).instances).toBeNull();
  });

  it('publishes a batch whose subjects live on different masters, each entry on its own', async () => {
    const subjects = [...(await subjectOnEveryMaster()).values()];
    const ids = await Promise.all(subjects.map((subject) => a.subscribe(subject)));
    const messages = [0, 1].flatMap((round) => subjects.map((subject) => ({ subject, data: `${subject} #${round}` })));
    const nobody = uniqueSubject('cluster.nobody');
    const { status, body } = await b.post('/api/publish/batch', { messages: [...messages, { subject: nobody, data: 'lost' }] });
    expect(status).toBe(200);
    expect(body.results).toEqual([...messages.map(() => ({ status: 'ok' })), { message: 'subscriber not found' }]);
    for (const [i, subject] of subjects.entries()) {
      expect((await b.fetchMessages(subject, ids[i])).body.data).toEqual([`${subject} #0`, `${subject} #1`]);
    }
  });

  it('acks, nacks and redelivers once the deadline passes, whichever instance is asked', async () => {
    const subject = uniqueSubject('cluster.ack');
    const { body: subscription } = await a.post('/api/subscribe', { subject, ackWaitMs: 1000 });
    const id = subscription.id;
    await b.publish(subject, 'acked');
    await a.publish(subject, 'nacked');
    const [acked, nacked] = (await b.fetchMessages(subject, id)).body.messages;
    expect([acked.data, nacked.data]).toEqual(['acked', 'nacked']);
    expect((await a.post('/api/ack', { subject, id, seqs: [acked.seq] })).body).toEqual({ acked: 1 });
    expect((await a.post('/api/nack', { subject, id, seqs: [nacked.seq] })).body).toEqual({ nacked: 1 });
    expect((await b.fetchMessages(subject, id)).body.messages).toEqual([{ seq: nacked.seq, data: 'nacked', deliveries: 2 }]);

    // Not acked this time: delivered again once its deadline (1 s) passes.
    let redelivered: unknown;
    await eventually(async () => {
      redelivered = (await a.fetchMessages(subject, id)).body.messages;
      return (redelivered as unknown[] | undefined)?.length !== 0;
    }, 10_000);
    expect(redelivered).toEqual([{ seq: nacked.seq, data: 'nacked', deliveries: 3 }]);
    expect((await b.post('/api/ack', { subject, id, seqs: [nacked.seq] })).body).toEqual({ acked: 1 });
    expect((await a.fetchMessages(subject, id)).body).toMatchObject({ data: [], remaining: 0 });
  });

  it('answers a fetch waiting on one instance within milliseconds of a publish on the other', async () => {
    const subject = uniqueSubject('cluster.wake');
    const id = await a.subscribe(subject);
    const waiting = a.fetchMessages(subject, id, { waitMs: 10_000 });
    await eventually(() => a.get(BrokerService).waiters.size > 0);
    const publishedAt = Date.now();
    expect((await b.publish(subject, 'wake up')).status).toBe(200);
    const answer = await waiting;
    expect(Date.now() - publishedAt).toBeLessThan(200);
    expect(answer.body.data).toEqual(['wake up']);
  });

  it('keeps a subject with braces, colons and percent signs in a slot of its own, and its keys apart', async () => {
    const base = uniqueSubject('cluster.odd');
    const subjects = [`${base}.a}b`, `${base}.a%7Db`, `${base}.{x}:m`];
    const ids = await Promise.all(subjects.map((subject) => a.subscribe(subject)));
    for (const subject of subjects) expect((await b.publish(subject, `to ${subject}`)).status).toBe(200);
    for (const [i, subject] of subjects.entries()) expect((await a.fetchMessages(subject, ids[i])).body.data).toEqual([`to ${subject}`]);
  });
});

describe('limits on a Redis Cluster', () => {
  const cluster = useRedisCluster();

  it('hold across masters, and the room comes back as messages are fetched', async () => {
    await TestBroker.using(sharedStore({ REDIS_CLUSTER__NODES: cluster().nodes, BROKER_MAX__PENDING: '30', MONITORING_STORE__STATS__INTERVAL__MS: '0' }), async (broker) => {
      const subjects = Array.from({ length: 6 }, () => uniqueSubject('cluster.limit'));
      const ids = await Promise.all(subjects.map((subject) => broker.subscribe(subject)));
      const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => broker.publish(subjects[i % 6], `m${i}`).then(({ status }) => status)));
      expect(statuses.filter((status) => status === 200)).toHaveLength(30);
      expect(statuses.filter((status) => status === 429)).toHaveLength(30);
      let fetched = 0;
      for (const [i, subject] of subjects.entries()) fetched += (await broker.fetchMessages(subject, ids[i])).body.data.length;
      expect(fetched).toBe(30);
      await eventually(async () => (await scrape(broker)).value('gophermq_messages_held') === 0, 10_000);
      const again = await Promise.all(Array.from({ length: 30 }, (_, i) => broker.publish(subjects[i % 6], `again ${i}`).then(({ status }) => status)));
      expect(again).toEqual(Array(30).fill(200));
    });
  });

  it('bound messages in flight by maxAckPending and broker.max-in-flight', async () => {
    await TestBroker.using(sharedStore({ REDIS_CLUSTER__NODES: cluster().nodes, BROKER_MAX__IN__FLIGHT: '5' }), async (broker) => {
      const [one, two] = [uniqueSubject('cluster.inflight'), uniqueSubject('cluster.inflight')];
      const first = (await broker.post('/api/subscribe', { subject: one, ackWaitMs: 60_000, maxAckPending: 3 })).body.id;
      const second = (await broker.post('/api/subscribe', { subject: two, ackWaitMs: 60_000 })).body.id;
      for (let i = 0; i < 6; i++) {
        await broker.publish(one, `one ${i}`);
        await broker.publish(two, `two ${i}`);
      }
      const taken = await broker.fetchMessages(one, first);
      expect({ data: taken.body.data, remaining: taken.body.remaining }).toEqual({ data: ['one 0', 'one 1', 'one 2'], remaining: 3 });
      expect((await broker.fetchMessages(two, second)).body.data).toEqual(['two 0', 'two 1']);
      expect((await broker.fetchMessages(two, second)).body.data).toEqual([]);
      await broker.post('/api/ack', { subject: one, id: first, seqs: taken.body.messages.map(({ seq }: { seq: number }) => seq) });
      await eventually(async () => (await broker.fetchMessages(two, second)).body.data.length > 0, 10_000);
    });
  });

  it('give back room reserved for a write that never came, within seconds', async () => {
    const prefix = uniqueKeyPrefix();
    await TestBroker.using(
      { BROKER_STORE: 'redis', REDIS_KEY__PREFIX: prefix, REDIS_CLUSTER__NODES: cluster().nodes, REDIS_COMMAND__TIMEOUT__MS: '500', BROKER_MAX__PENDING: '50', MONITORING_STORE__STATS__INTERVAL__MS: '0' },
      async (broker) => {
        const subject = uniqueSubject('cluster.lease');
        const id = await broker.subscribe(subject);
        // What a broker killed between reserving room and writing leaves behind.
        const store = broker.get(BrokerService).store as unknown as { accounting: { reserveMessages(m: unknown[], max: number, bytes: number): Promise<unknown> } };
        await store.accounting.reserveMessages(Array.from({ length: 50 }, () => ({ subject, bytes: 1 })), 50, 1e9);
        expect((await broker.publish(subject, 'no room')).status).toBe(429);
        await eventually(async () => (await scrape(broker)).value('gophermq_messages_held') === 0, 30_000);
        for (let i = 0; i < 50; i++) expect((await broker.publish(subject, `m${i}`)).status).toBe(200);
        expect((await broker.fetchMessages(subject, id)).body.data).toHaveLength(50);
      },
    );
  });
});
