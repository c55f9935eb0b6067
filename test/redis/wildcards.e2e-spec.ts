import { BrokerService } from '../../src/broker/broker.service.js';
import { subjectBase } from '../../src/broker/store/redis/redis-keys.js';
import { eventually } from '../support/eventually.js';
import { redisCli, RedisCluster, RedisServer } from '../support/redis-server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { runRedisUrl, sharedStore } from './shared-store.js';

type Message = { subject: string; seq: number; data: string };

/** Everything a subscriber gets within `ms`. */
async function collect(broker: TestBroker, subject: string, id: string, want: number, ms = 5000): Promise<Message[]> {
  const got: Message[] = [];
  const until = Date.now() + ms;
  while (got.length < want && Date.now() < until) got.push(...(await broker.fetchMessages(subject, id, { waitMs: 200 })).body.messages);
  // Nothing more (no duplicate) comes a little later either.
  got.push(...(await broker.fetchMessages(subject, id, { waitMs: 300 })).body.messages);
  return got;
}

describe('wildcard subscriptions on brokers sharing a Redis', () => {
  let store: Record<string, string>;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    store = sharedStore();
    [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('a pattern subscribed on one instance gets what another publishes; unsubscribed there, the other answers 404 again', async () => {
    const base = uniqueSubject('w');
    const id = (await a.post('/api/subscribe', { subject: `${base}.*` })).body.id;
    await eventually(async () => (await b.publish(`${base}.x`, 'm')).status === 200);
    expect((await collect(a, `${base}.*`, id, 1)).map((m) => [m.subject, m.data])).toEqual([[`${base}.x`, 'm']]);
    expect((await a.post('/api/unsubscribe', { subject: `${base}.*`, id })).status).toBe(200);
    await eventually(async () => (await b.publish(`${base}.x`, 'n')).status === 404);
  });

  it('an instance that published and died before forwarding: the sweep of any instance forwards, each message once', async () => {
    const base = uniqueSubject('w');
    const id = (await a.post('/api/subscribe', { subject: `${base}.>` })).body.id;
    await eventually(() => ((b.get(BrokerService).store as any).patterns.matching(`${base}.x`) as string[]).length === 1);
    // b stores the messages (the patterns read the subjects' logs) but never forwards them.
    const forwarder = (b.get(BrokerService).store as any).forwarder;
    const forward = forwarder.forward;
    forwarder.forward = () => {};
    try {
      for (let i = 0; i < 5; i++) expect((await b.publish(`${base}.s${i % 2}`, `m${i}`)).status).toBe(200);
    } finally {
      forwarder.forward = forward;
    }
    const got = await collect(a, `${base}.>`, id, 5);
    expect(got.map((m) => m.data).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got.filter((m) => m.subject === `${base}.s0`).map((m) => m.data)).toEqual(['m0', 'm2', 'm4']);
  });

  it('an instance that died after appending, before it moved the pattern on: the forward is done again and skips what the log took', async () => {
    const base = uniqueSubject('w');
    const subject = `${base}.x`;
    const id = (await a.post('/api/subscribe', { subject: `${base}.*` })).body.id;
    await a.subscribe(subject); // a literal subscriber too: the subject's log stays whatever the pattern does
    for (const data of ['1', '2', '3']) expect((await a.publish(subject, data)).status).toBe(200);
    expect((await collect(a, `${base}.*`, id, 3)).map((m) => m.data)).toEqual(['1', '2', '3']);
    // Put the pattern's position in the subject's log back, as if the advance never ran.
    const port = Number(new URL(runRedisUrl()).port);
    const positions = `${subjectBase(store.REDIS_KEY__PREFIX, subject)}:p`;
    const seq = Number(await redisCli(port, 'ZSCORE', positions, `p:${base}.*`));
    await redisCli(port, 'ZADD', positions, String(seq - 3), `p:${base}.*`);
    expect((await a.publish(subject, '4')).status).toBe(200);
    expect((await collect(a, `${base}.*`, id, 1)).map((m) => m.data)).toEqual(['4']);
  });
});

const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 1000
`;

describe('replaying pattern subscribers (deliver) on brokers sharing a Redis', () => {
  let store: Record<string, string>;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    store = sharedStore();
    [a, b] = await Promise.all([TestBroker.start(store, RULES), TestBroker.start(store, RULES)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('an instance that placed the replay and died before forwarding it: the sweep of another forwards it, each message once, retained ones first', async () => {
    const base = uniqueSubject('kept');
    for (const data of ['a1', 'a2', 'a3']) expect((await b.publish(`${base}.a`, data)).status).toBe(200);
    expect((await b.publish(`${base}.b`, 'b1')).status).toBe(200);
    const forwarder = (a.get(BrokerService).store as any).forwarder;
    const forward = forwarder.forward;
    forwarder.forward = () => {};
    let id: string;
    try {
      id = (await a.post('/api/subscribe', { subject: `${base}.*`, deliver: 'all', ackWaitMs: 30_000 })).body.id;
    } finally {
      forwarder.forward = forward;
    }
    const got = await collect(b, `${base}.*`, id, 4);
    expect(got.filter((m) => m.subject === `${base}.a`).map((m) => m.data)).toEqual(['a1', 'a2', 'a3']);
    expect(got.filter((m) => m.subject === `${base}.b`).map((m) => m.data)).toEqual(['b1']);
    expect(got).toHaveLength(4);
    // What is published after, on either instance, follows.
    await eventually(async () => (await b.publish(`${base}.a`, 'a4')).status === 200);
    expect((await collect(a, `${base}.*`, id, 1)).map((m) => m.data)).toEqual(['a4']);
  });

  it('an instance that died after appending a replayed batch, before it moved on: the forward is done again and skips what the log took', async () => {
    const base = uniqueSubject('kept');
    const subject = `${base}.x`;
    for (const data of ['1', '2', '3']) expect((await a.publish(subject, data)).status).toBe(200);
    const id = (await a.post('/api/subscribe', { subject: `${base}.*`, deliver: 'all' })).body.id;
    expect((await collect(a, `${base}.*`, id, 3)).map((m) => m.data)).toEqual(['1', '2', '3']);
    // Its log's position in the subject's log put back, as if the advance never ran.
    const port = Number(new URL(runRedisUrl()).port);
    const positions = `${subjectBase(store.REDIS_KEY__PREFIX, subject)}:p`;
    const reader = `p:${base}.* ${id}`;
    const seq = Number(await redisCli(port, 'ZSCORE', positions, reader));
    await redisCli(port, 'ZADD', positions, String(seq - 3), reader);
    expect((await b.publish(subject, '4')).status).toBe(200);
    expect((await collect(a, `${base}.*`, id, 1)).map((m) => m.data)).toEqual(['4']);
  });

  it('a named replaying subscriber is the same on every instance; unsubscribed, its log stops reading the subjects', async () => {
    const base = uniqueSubject('kept');
    expect((await a.publish(`${base}.x`, 'm')).status).toBe(200);
    const first = await a.post('/api/subscribe', { subject: `${base}.>`, name: 'audit', deliver: 'last' });
    const second = await b.post('/api/subscribe', { subject: `${base}.>`, name: 'audit', deliver: 'last' });
    expect(second.body).toEqual(first.body);
    expect((await b.post('/api/subscribe', { subject: `${base}.>`, name: 'audit' })).status).toBe(409);
    expect((await collect(b, `${base}.>`, first.body.id, 1)).map((m) => m.data)).toEqual(['m']);
    expect((await b.post('/api/unsubscribe', { subject: `${base}.>`, id: first.body.id })).status).toBe(200);
    const port = Number(new URL(runRedisUrl()).port);
    await eventually(async () => (await redisCli(port, 'ZSCORE', `${subjectBase(store.REDIS_KEY__PREFIX, `${base}.x`)}:p`, `p:${base}.> ${first.body.id}`)) === '');
  });
});

describe('wildcard subscriptions on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let a: TestBroker;
  let b: TestBroker;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    const store = sharedStore({ REDIS_CLUSTER__NODES: cluster.nodes });
    [a, b] = await Promise.all([TestBroker.start(store, RULES), TestBroker.start(store, RULES)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await cluster?.stop();
    RedisServer.killAll();
  });

  it('a `>` subscriber spans hash slots: subjects on every master, published on another instance, each message once, in order per subject', async () => {
    const base = uniqueSubject('w');
    const subjects = new Map<RedisServer, string>();
    for (let n = 0; subjects.size < cluster.servers.length; n++) {
      const subject = `${base}.s${n}`;
      const master = await cluster.masterOf(subject);
      if (!subjects.has(master)) subjects.set(master, subject);
    }
    const id = (await a.post('/api/subscribe', { subject: `${base}.>`, ackWaitMs: 30_000 })).body.id;
    await eventually(async () => (await b.publish([...subjects.values()][0], 'probe')).status === 200);
    const sent: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const subject of subjects.values()) {
        expect((await b.publish(subject, `${subject}#${round}`)).status).toBe(200);
        sent.push(`${subject}#${round}`);
      }
    }
    const got = (await collect(a, `${base}.>`, id, sent.length + 1)).filter((m) => m.data !== 'probe');
    expect(got.map((m) => m.data).sort()).toEqual([...sent].sort());
    for (const subject of subjects.values()) expect(got.filter((m) => m.subject === subject).map((m) => m.data)).toEqual([0, 1, 2].map((r) => `${subject}#${r}`));
    expect((await a.post('/api/ack', { subject: `${base}.>`, id, seqs: got.map((m) => m.seq) })).body).toEqual({ acked: got.length });
  });

  it('a replaying `>` subscriber gets the retained subjects of every master, retained ones first, then what another instance publishes', async () => {
    const base = uniqueSubject('kept');
    const subjects = new Map<RedisServer, string>();
    for (let n = 0; subjects.size < cluster.servers.length; n++) {
      const subject = `${base}.s${n}`;
      const master = await cluster.masterOf(subject);
      if (!subjects.has(master)) subjects.set(master, subject);
    }
    for (const subject of subjects.values()) for (const round of [0, 1]) expect((await b.publish(subject, `${subject}#${round}`)).status).toBe(200);
    const id = (await a.post('/api/subscribe', { subject: `${base}.>`, deliver: 'all', ackWaitMs: 30_000 })).body.id;
    await eventually(() => ((b.get(BrokerService).store as any).patterns.matching([...subjects.values()][0]) as string[]).length === 1);
    for (const subject of subjects.values()) expect((await b.publish(subject, `${subject}#2`)).status).toBe(200);
    const got = await collect(a, `${base}.>`, id, 3 * subjects.size);
    expect(got).toHaveLength(3 * subjects.size);
    for (const subject of subjects.values()) expect(got.filter((m) => m.subject === subject).map((m) => m.data)).toEqual([0, 1, 2].map((r) => `${subject}#${r}`));
    expect((await a.post('/api/ack', { subject: `${base}.>`, id, seqs: got.map((m) => m.seq) })).body).toEqual({ acked: got.length });
  });
});
