import { MetricsScrape } from '../metrics-scrape.js';
import { BrokerProcess } from '../support/broker-process.js';
import { eventually } from '../support/eventually.js';
import { RedisCluster, RedisServer } from '../support/redis-server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { uniqueKeyPrefix } from '../support/test-store.js';
import { sharedStore } from './shared-store.js';

const MiB = 1024 * 1024;
/** How long the counts may take to come back to what is stored, after the fault ends. */
const CONVERGENCE_MS = 30_000;
const megabyte = (tag: string) => tag + 'x'.repeat(MiB - tag.length);

afterEach(() => {
  BrokerProcess.killAll();
  RedisServer.killAll();
});

/** Fetches until nothing is left; returns how many messages it took. */
async function drain(broker: { post(path: string, body: unknown): Promise<{ status: number; body: any }> }, subject: string, id: string): Promise<number> {
  let taken = 0;
  for (;;) {
    const answer = await broker.post('/api/fetch', { subject, id });
    if (answer.status !== 200) throw new Error(`fetch: ${answer.status} ${JSON.stringify(answer.body)}`);
    taken += answer.body.data.length;
    if (answer.body.data.length === 0) return taken;
  }
}

/** The broker-wide counts that the limits are checked against, as the broker shows them. */
async function held(metricsUrl: string): Promise<{ messages: number; bytes: number }> {
  const scraped = await MetricsScrape.of(metricsUrl);
  return { messages: scraped.value('gophermq_messages_held'), bytes: scraped.value('gophermq_messages_held_bytes') };
}

async function convergesToEmpty(metricsUrl: string): Promise<void> {
  await eventually(async () => {
    const { messages, bytes } = await held(metricsUrl);
    return messages === 0 && bytes === 0;
  }, CONVERGENCE_MS);
}

describe('broker-wide room on the Redis store is never lost', () => {
  it('publishes answered 503 while Redis was paused leave no room reserved once it answers again', async () => {
    const redis = await RedisServer.start();
    const broker = await BrokerProcess.start(
      sharedStore(
        {
          REDIS_COMMAND__TIMEOUT__MS: '500',
          BROKER_BODY__LIMIT__BYTES: String(2 * MiB),
          BROKER_MAX__PENDING__BYTES: String(24 * MiB),
          BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(24 * MiB),
        },
        redis.url,
      ),
    );
    const metricsUrl = (await broker.log('metrics on ')).msg.slice('metrics on '.length);
    const subject = uniqueSubject('paused');
    const { body: subscription } = await broker.post('/api/subscribe', { subject });

    redis.pause();
    const during = await Promise.all(Array.from({ length: 30 }, (_, i) => broker.post('/api/publish', { subject, data: megabyte(`during ${i} `) })));
    expect(during.map(({ status }) => status)).toEqual(Array(30).fill(503));
    redis.resume();

    // What Redis ran once resumed may be stored (a 503 may have happened); whatever it is, once it
    // is fetched nothing is held, and the whole room is there again.
    await eventually(async () => (await fetch(`${broker.url}/ready`)).status === 204, 10_000);
    await drain(broker, subject, subscription.id);
    await convergesToEmpty(metricsUrl);
    const after = [];
    for (let i = 0; i < 23; i++) after.push((await broker.post('/api/publish', { subject, data: megabyte(`after ${i} `) })).status);
    expect(after).toEqual(Array(23).fill(200));
    expect(await drain(broker, subject, subscription.id)).toBe(23);
    await redis.close();
  });

  it('a broker killed during batch publishes leaves no room reserved for messages it never wrote', async () => {
    const store = sharedStore({ BROKER_MAX__PENDING: '20000', BROKER_MAX__PENDING__PER__SUBJECT: '20000' });
    const victim = await BrokerProcess.start(store);
    const survivor = await TestBroker.start(store);
    try {
      const subject = uniqueSubject('killed');
      const id = await survivor.subscribe(subject);
      const batch = { messages: Array.from({ length: 1000 }, (_, i) => ({ subject, data: `m${i}` })) };
      const sending = Array.from({ length: 12 }, () => victim.post('/api/publish/batch', batch).catch(() => undefined));
      await new Promise((resolve) => setTimeout(resolve, 150));
      victim.child.kill('SIGKILL');
      await Promise.all(sending);

      await drain(survivor, subject, id);
      await convergesToEmpty(scrapeUrl(survivor));
      const full = await survivor.post('/api/publish/batch', { messages: Array.from({ length: 1000 }, (_, i) => ({ subject, data: `again ${i}` })) });
      expect(full.body.results.filter((result: { status?: string }) => result.status === 'ok')).toHaveLength(1000);
    } finally {
      await survivor.close();
    }
  });

  it('publishes refused by Redis for its maxmemory leave no room reserved, and consumers can drain meanwhile', async () => {
    const redis = await RedisServer.start({ args: ['--maxmemory', '24mb', '--maxmemory-policy', 'noeviction'] });
    const broker = await TestBroker.start(
      sharedStore(
        { BROKER_BODY__LIMIT__BYTES: String(2 * MiB), BROKER_MAX__PENDING__BYTES: String(64 * MiB), BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(64 * MiB) },
        redis.url,
      ),
    );
    try {
      const subject = uniqueSubject('oom');
      const id = await broker.subscribe(subject);
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push((await broker.publish(subject, megabyte(`m${i} `))).status);
      // Redis refused writes past its maxmemory: nothing of those is stored, and the answer says so (429, not 503).
      expect(statuses).toContain(429);
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      const stored = statuses.filter((status) => status === 200).length;

      // Fetching frees memory: it must work while Redis is full.
      expect(await drain(broker, subject, id)).toBe(stored);
      await convergesToEmpty(scrapeUrl(broker));
      await redis.command('CONFIG', 'SET', 'maxmemory', '0');
      const after = [];
      for (let i = 0; i < 60; i++) after.push((await broker.publish(subject, megabyte(`after ${i} `))).status);
      expect(after).toEqual(Array(60).fill(200));
    } finally {
      await broker.close();
      await redis.close();
    }
  });

  // A batch's runs on different subjects are separate writes: Redis could refuse some for its maxmemory
  // after taking others, and the whole batch answered 503 though some of it was stored.
  it('a batch Redis takes only part of for its maxmemory says which entries it stored, and exactly those are', async () => {
    const redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
    const broker = await TestBroker.start(sharedStore({ BROKER_BODY__LIMIT__BYTES: String(4 * MiB) }, redis.url));
    try {
      const subjects = Array.from({ length: 10 }, (_, i) => uniqueSubject(`oom-batch${i}`));
      const ids = await Promise.all(subjects.map((subject) => broker.subscribe(subject)));
      const usedMemory = Number(/used_memory:(\d+)/.exec(await redis.command('INFO', 'memory'))![1]);
      await redis.command('CONFIG', 'SET', 'maxmemory', String(usedMemory + 400_000));
      const piece = 'y'.repeat(90_000);
      const { status, body } = await broker.post('/api/publish/batch', { messages: subjects.map((subject) => ({ subject, data: piece })) });
      expect(status).toBe(200);
      const results = body.results as Array<{ status?: string; message?: string }>;
      expect(results.filter((result) => result.message === 'broker overflow').length).toBeGreaterThan(0);
      expect(results.filter((result) => result.status !== 'ok' && result.message !== 'broker overflow')).toEqual([]);
      await redis.command('CONFIG', 'SET', 'maxmemory', '0');
      const fetched = await Promise.all(subjects.map(async (subject, i) => (await broker.post('/api/fetch', { subject, id: ids[i] })).body.data.length));
      expect(fetched).toEqual(results.map((result) => (result.status === 'ok' ? 1 : 0)));
    } finally {
      await broker.close();
      await redis.close();
    }
  });

  it('on a Redis Cluster, publishes cut while the subject\'s node was paused leave no room reserved', async () => {
    const cluster = await RedisCluster.start();
    try {
      const prefix = uniqueKeyPrefix();
      const store = { BROKER_STORE: 'redis', REDIS_KEY__PREFIX: prefix, REDIS_CLUSTER__NODES: cluster.nodes, REDIS_COMMAND__TIMEOUT__MS: '500', BROKER_MAX__PENDING: '100', BROKER_MAX__PENDING__PER__SUBJECT: '100' };
      const broker = await TestBroker.start(store);
      try {
        // A subject whose node is not the one of the broker-wide keys.
        const ledgerNode = await cluster.masterOf(`${prefix}{~}:ledger`);
        let subject = '';
        for (let i = 0; ; i++) {
          subject = uniqueSubject(`cluster${i}`);
          if ((await cluster.masterOf(`${prefix}{${subject}}:m`)) !== ledgerNode) break;
        }
        const id = await broker.subscribe(subject);
        const subjectNode = await cluster.masterOf(`${prefix}{${subject}}:m`);
        subjectNode.pause();
        const during = await Promise.all(Array.from({ length: 40 }, (_, i) => broker.publish(subject, `during ${i}`)));
        expect(during.map(({ status }) => status)).toEqual(Array(40).fill(503));
        subjectNode.resume();

        await eventually(async () => (await broker.post('/api/fetch', { subject, id })).status === 200, 10_000);
        await drain(broker, subject, id);
        await convergesToEmpty(scrapeUrl(broker));
        const after = [];
        for (let i = 0; i < 100; i++) after.push((await broker.publish(subject, `after ${i}`)).status);
        expect(after).toEqual(Array(100).fill(200));
      } finally {
        await broker.close();
      }
    } finally {
      await cluster.stop();
    }
  });
});

function scrapeUrl(broker: TestBroker): string {
  return broker.get(MetricsServer).url;
}
