import { eventually } from '../support/eventually.js';
import { RedisCluster, RedisServer } from '../support/redis-server.js';
import { StreamClient } from '../support/stream-client.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

const streamUrl = (broker: TestBroker, params: Record<string, string | number>) =>
  `${broker.url}/api/stream?${new URLSearchParams(Object.entries(params).map(([name, value]): [string, string] => [name, String(value)]))}`;

/** Streams on one instance, everything else on another: a publish anywhere reaches a stream anywhere. */
function acrossInstances(name: string, storeOf: () => Promise<{ settings: Record<string, string>; stop?: () => Promise<void> }>) {
  describe(name, () => {
    let a: TestBroker;
    let b: TestBroker;
    let stop: (() => Promise<void>) | undefined;
    const clients: StreamClient[] = [];
    const open = async (params: Record<string, string | number>) => {
      const client = await StreamClient.open(streamUrl(a, params));
      clients.push(client);
      await client.waitForEvent('open');
      return client;
    };

    beforeAll(async () => {
      const store = await storeOf();
      stop = store.stop;
      [a, b] = await Promise.all([TestBroker.start(store.settings), TestBroker.start(store.settings)]);
    }, 60_000);
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await stop?.();
    });

    it('streams what is published on the other instance, to existing and ephemeral subscribers, within moments', async () => {
      for (let round = 0; round < 4; round++) {
        const subject = uniqueSubject('streams.across');
        const id = await a.subscribe(subject);
        const existing = await open({ subject, id });
        const ephemeral = await open({ subject });
        const published = Date.now();
        expect((await b.publish(subject, `from b ${round}`)).status).toBe(200);
        await Promise.all([existing.waitForMessages(1), ephemeral.waitForMessages(1)]);
        expect(Date.now() - published).toBeLessThan(1000);
        expect(existing.messages.map(({ data }) => data)).toEqual([`from b ${round}`]);
        expect(ephemeral.messages.map(({ data }) => data)).toEqual([`from b ${round}`]);
        // Later ones too (each empty take renews the stream's wait).
        await b.publish(subject, 'again');
        await existing.waitForMessages(2);
      }
    });

    it('ends a stream when its subscriber is unsubscribed on the other instance; an ack there makes room', async () => {
      const subject = uniqueSubject('streams.across.ack');
      const { body: subscription } = await b.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
      const id = subscription.id;
      const client = await open({ subject, id, maxInFlight: 1 });
      await b.publish(subject, 'one');
      await b.publish(subject, 'two');
      const [first] = await client.waitForMessages(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(client.messages).toHaveLength(1);
      expect((await b.post('/api/ack', { subject, id, seqs: [first.seq] })).body).toEqual({ acked: 1 });
      expect((await client.waitForMessages(2))[1]).toMatchObject({ data: 'two', deliveries: 1 });

      expect((await b.post('/api/unsubscribe', { subject, id })).status).toBe(200);
      expect((await client.waitForEvent('close')).data).toEqual({ reason: 'unsubscribed' });
    });

    it('removes an ephemeral subscriber from the shared store when its stream ends', async () => {
      const subject = uniqueSubject('streams.across.gone');
      const client = await open({ subject });
      expect((await b.publish(subject, 'seen')).status).toBe(200);
      await client.waitForMessages(1);
      client.close();
      await eventually(async () => (await b.publish(subject, 'nobody')).status === 404);
    });
  });
}

acrossInstances('event streams: two instances on one Redis', async () => ({ settings: sharedStore() }));

acrossInstances('event streams: two instances on a Redis Cluster', async () => {
  const cluster = await RedisCluster.start();
  return {
    settings: sharedStore({ REDIS_CLUSTER__NODES: cluster.nodes }),
    stop: async () => {
      await cluster.stop();
      RedisServer.killAll();
    },
  };
});
