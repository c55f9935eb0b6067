import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerService } from '../src/broker/broker.service.js';
import { eventually } from './support/eventually.js';
import { TestBroker, uniqueSubject, type Answer } from './support/test-broker.js';

const subscribers = async (broker: TestBroker) => (await broker.get(BrokerService).store.stats()).subscribers;

describe('named subscribers', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  const subscribe = (body: Record<string, unknown>) => broker.post('/api/subscribe', body);

  it('answers the same id and settings to every subscribe with that subject and name, creating one subscriber', async () => {
    const subject = uniqueSubject();
    const request = { subject, name: 'billing', ackWaitMs: 5000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 10 };
    const before = await subscribers(broker);
    const first = await subscribe(request);
    expect(first).toMatchObject({ status: 200, body: { subject, name: 'billing', ackWaitMs: 5000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 10 } });
    const again = await subscribe(request);
    expect([again.status, again.body]).toEqual([200, first.body]);
    expect(await subscribers(broker)).toBe(before + 1);
  });

  it('echoes the name, and only for a named subscriber', async () => {
    const subject = uniqueSubject();
    expect((await subscribe({ subject, name: 'n_1-A' })).body).toEqual({ id: expect.any(String), subject, name: 'n_1-A' });
    expect((await subscribe({ subject })).body).toEqual({ id: expect.any(String), subject });
  });

  it('keeps names apart per subject, and apart from unnamed subscribers', async () => {
    const [a, b] = [uniqueSubject(), uniqueSubject()];
    const onA = (await subscribe({ subject: a, name: 'same' })).body.id;
    const onB = (await subscribe({ subject: b, name: 'same' })).body.id;
    const unnamed = (await subscribe({ subject: a })).body.id;
    expect(new Set([onA, onB, unnamed]).size).toBe(3);
  });

  it.each([
    ['another ackWaitMs', { ackWaitMs: 6000 }],
    ['another maxDeliveries', { maxDeliveries: 4 }],
    ['no maxDeliveries', { maxDeliveries: undefined, deadLetterSubject: undefined }],
    ['another deadLetterSubject', { deadLetterSubject: 'elsewhere.dead' }],
    ['another maxAckPending', { maxAckPending: 11 }],
    ['at most once', { ackWaitMs: undefined, maxDeliveries: undefined, deadLetterSubject: undefined, maxAckPending: undefined }],
  ])('answers 409 for %s than the name has, and creates nothing', async (_, change) => {
    const subject = uniqueSubject();
    const request = { subject, name: 'worker', ackWaitMs: 5000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 10 };
    const { id } = (await subscribe(request)).body;
    const before = await subscribers(broker);
    expect(await subscribe({ ...request, ...change })).toMatchObject({ status: 409, body: { message: 'subscriber exists with other settings' } });
    expect(await subscribers(broker)).toBe(before);
    expect((await subscribe(request)).body.id).toBe(id);
  });

  it('answers 409 for an acknowledged subscribe with a name that is at most once', async () => {
    const subject = uniqueSubject();
    await subscribe({ subject, name: 'plain' });
    expect(await subscribe({ subject, name: 'plain', ackWaitMs: 5000 })).toMatchObject({ status: 409, body: { message: 'subscriber exists with other settings' } });
  });

  it('compares effective settings: an omitted maxAckPending is the default, 1000', async () => {
    const subject = uniqueSubject();
    const { id } = (await subscribe({ subject, name: 'defaults', ackWaitMs: 5000 })).body;
    expect(await subscribe({ subject, name: 'defaults', ackWaitMs: 5000, maxAckPending: 1000 })).toMatchObject({ status: 200, body: { id, maxAckPending: 1000 } });
    expect((await subscribe({ subject, name: 'defaults', ackWaitMs: 5000 })).body.id).toBe(id);
    expect((await subscribe({ subject, name: 'defaults', ackWaitMs: 5000, maxAckPending: 999 })).status).toBe(409);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['with a dot', 'a.b'],
    ['with a non-ASCII letter', 'é'],
    ['65 characters long', 'x'.repeat(65)],
    ['a number', 42],
    ['null', null],
    ['an object', { name: 'x' }],
  ])('answers 400 naming the field for a name %s, and creates nothing', async (_, name) => {
    const subject = uniqueSubject();
    const before = await subscribers(broker);
    const answer = await subscribe({ subject, name });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe("request's body is invalid");
    expect(answer.body.errors).toEqual([expect.stringMatching(/^name: /)]);
    expect(await subscribers(broker)).toBe(before);
  });

  it('takes a name of 64 characters', async () => {
    expect((await subscribe({ subject: uniqueSubject(), name: 'x'.repeat(64) })).status).toBe(200);
  });

  it('shares the messages between the consumers using one name: each message to one of them', async () => {
    const subject = uniqueSubject();
    const consumers = [0, 1, 2].map(() => subscribe({ subject, name: 'pool' }));
    const ids = (await Promise.all(consumers)).map((answer) => answer.body.id);
    expect(new Set(ids).size).toBe(1);
    const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
    for (const data of sent) expect((await broker.publish(subject, data)).status).toBe(200);
    const received: string[] = [];
    for (let round = 0; received.length < sent.length && round < 20; round++) {
      const answers = await Promise.all(ids.map((id) => broker.fetchMessages(subject, id, { max: 4 })));
      for (const answer of answers) received.push(...answer.body.data);
    }
    expect(received.sort()).toEqual([...sent].sort());
  });

  it('shares acknowledged messages the same way: each in flight to one consumer, acked once', async () => {
    const subject = uniqueSubject();
    const request = { subject, name: 'acked-pool', ackWaitMs: 30000 };
    const [first, second] = await Promise.all([subscribe(request), subscribe(request)]);
    expect(second.body.id).toBe(first.body.id);
    const { id } = first.body;
    for (let i = 0; i < 10; i++) await broker.publish(subject, `a${i}`);
    const [one, other] = await Promise.all([broker.fetchMessages(subject, id, { max: 5 }), broker.fetchMessages(subject, id, { max: 5 })]);
    const seqs = [...one.body.messages, ...other.body.messages].map((message: { seq: number }) => message.seq);
    expect(new Set(seqs).size).toBe(10);
    expect((await broker.post('/api/ack', { subject, id, seqs })).body).toMatchObject({ acked: 10 });
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
  });

  it('are described in the OpenAPI document: the name field, its echo, and the 409', async () => {
    const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
    const { schemas } = document.components;
    expect(schemas.SubscribeRequestDto.properties.name).toMatchObject({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', example: 'billing', description: expect.stringContaining('409') });
    expect(schemas.SubscriptionDto.properties.name).toMatchObject({ example: 'billing' });
    const conflict = document.paths['/api/subscribe'].post.responses['409'];
    expect(conflict.description).toEqual(expect.stringContaining('subscriber name taken'));
    expect(conflict.content['application/json'].example).toEqual({ message: 'subscriber exists with other settings' });
  });

  it('frees the name on unsubscribe: the next subscribe with it creates a new subscriber', async () => {
    const subject = uniqueSubject();
    const { id } = (await subscribe({ subject, name: 'gone', ackWaitMs: 5000 })).body;
    expect((await broker.post('/api/unsubscribe', { subject, id })).status).toBe(200);
    expect((await broker.fetchMessages(subject, id)).status).toBe(404);
    // Free, settings included: the new one may have others.
    const renewed = await subscribe({ subject, name: 'gone' });
    expect(renewed).toMatchObject({ status: 200, body: { name: 'gone' } });
    expect(renewed.body.id).not.toBe(id);
    expect(renewed.body.ackWaitMs).toBeUndefined();
  });
});

describe('named subscribers and broker.max-subscribers', () => {
  it('count once: a subscribe with an existing name answers at the limit, a new name does not', async () => {
    await TestBroker.using({ BROKER_MAX__SUBSCRIBERS: '2' }, async (broker) => {
      const subject = uniqueSubject();
      const subscribe = (body: Record<string, unknown>) => broker.post('/api/subscribe', body);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await subscribe({ subject, name: 'once' })).body.id);
      expect(new Set(ids).size).toBe(1);
      expect((await subscribe({ subject })).status).toBe(200);
      expect(await subscribe({ subject })).toMatchObject({ status: 429, body: { message: 'too many subscribers' } });
      expect(await subscribe({ subject, name: 'once' })).toMatchObject({ status: 200, body: { id: ids[0] } });
      expect(await subscribe({ subject, name: 'other' })).toMatchObject({ status: 429, body: { message: 'too many subscribers' } });
      expect(await subscribers(broker)).toBe(2);
    });
  });
});

describe('named subscribers and idle expiry', () => {
  it('are not removed by broker.subscriber-idle-timeout, which still removes the unnamed', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (broker) => {
      const subject = uniqueSubject();
      const named = (await broker.post('/api/subscribe', { subject, name: 'durable' })).body.id;
      const unnamed = await broker.subscribe(subject);
      await broker.publish(subject, 'kept for the durable one');
      const service = broker.get(BrokerService);
      await eventually(() => service.counters.expiredSubscribers === 1, 10_000);
      expect((await broker.fetchMessages(subject, unnamed)).status).toBe(404);
      await sleep(1500); // more sweeps, past the timeout again
      expect(await broker.fetchMessages(subject, named)).toMatchObject({ status: 200, body: { data: ['kept for the durable one'] } });
      expect(service.counters.expiredSubscribers).toBe(1);
    });
  }, 20_000);

  it('are removed after broker.named-subscriber-idle-timeout seconds without activity; a subscribe with the name is activity', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '0', BROKER_NAMED__SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (broker) => {
      const subject = uniqueSubject();
      const subscribe = () => broker.post('/api/subscribe', { subject, name: 'expiring' });
      const { id } = (await subscribe()).body;
      const unnamed = await broker.subscribe(subject);
      const service = broker.get(BrokerService);
      // Subscribing again with the name keeps it, for three times the timeout, without a fetch.
      for (let i = 0; i < 12; i++) {
        await sleep(250);
        expect((await subscribe()).body.id).toBe(id);
      }
      expect(service.counters.expiredSubscribers).toBe(0);
      await eventually(() => service.counters.expiredSubscribers === 1, 10_000);
      expect((await broker.fetchMessages(subject, id)).status).toBe(404);
      expect((await broker.fetchMessages(subject, unnamed)).status).toBe(200);
      const renewed = (await subscribe()).body.id;
      expect(renewed).not.toBe(id);
    });
  }, 20_000);
});

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const ORDERS = 'orders-secret-0001';
const BILLING = 'billing-secret-0001';
const ADMIN = 'admin-secret-000001';
const TOKENS_YAML = `
auth:
  enable: true
  tokens:
    - name: orders
      sha256: ${sha256(ORDERS)}
      publish: ["orders.>"]
      subscribe: ["orders.>"]
    - name: billing
      sha256: ${sha256(BILLING)}
      publish: ["orders.>"]
      subscribe: ["orders.>"]
`;

describe('named subscribers with auth.enable', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await TestBroker.start({ AUTH_ADMIN__TOKEN: ADMIN, AUTH_SUBSCRIBER__ID__SECRET: 'a-secret-the-brokers-share-000001' }, TOKENS_YAML);
  });
  afterAll(() => broker.close());

  const as =
    (token: string) =>
    (path: string, body: unknown): Promise<Answer> =>
      broker.post(path, body, { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });

  it("belong to the token that created them: another token's subscribe answers 409 name taken and learns nothing", async () => {
    const [orders, billing, admin] = [as(ORDERS), as(BILLING), as(ADMIN)];
    const subject = uniqueSubject('orders');
    const created = await orders('/api/subscribe', { subject, name: 'mine', ackWaitMs: 5000 });
    expect(created).toMatchObject({ status: 200, body: { subject, name: 'mine' } });
    const before = await subscribers(broker);
    for (const other of [billing, admin]) {
      for (const settings of [{ ackWaitMs: 5000 }, { ackWaitMs: 6000 }, {}]) {
        const answer = await other('/api/subscribe', { subject, name: 'mine', ...settings });
        expect([answer.status, answer.body]).toEqual([409, { message: 'subscriber name taken' }]);
      }
    }
    expect(await subscribers(broker)).toBe(before);
    // The owner gets its tagged id back, and uses it.
    const again = await orders('/api/subscribe', { subject, name: 'mine', ackWaitMs: 5000 });
    expect([again.status, again.body]).toEqual([200, created.body]);
    await orders('/api/publish', { subject, data: 'for the owner' });
    expect((await orders('/api/fetch', { subject, id: created.body.id })).body.data).toEqual(['for the owner']);
  });

  it('keep the same name of different tokens apart on different subjects', async () => {
    const [orders, billing] = [as(ORDERS), as(BILLING)];
    expect((await orders('/api/subscribe', { subject: uniqueSubject('orders'), name: 'n' })).status).toBe(200);
    expect((await billing('/api/subscribe', { subject: uniqueSubject('orders'), name: 'n' })).status).toBe(200);
  });
});
