import { createHash } from 'node:crypto';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { eventually } from './support/eventually.js';
import { TestBroker, uniqueSubject, type Answer } from './support/test-broker.js';

// The management API (/api/admin), as an operator's tools use it: over HTTP, on the test store
// (memory here; `npm run test:redis` runs this suite again on Redis).

const RULES = 'retention:\n  - subjects: "kept.>"\n    max-messages: 100\n';

async function get(broker: TestBroker, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(broker.url + path, { headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const q = encodeURIComponent;

describe('management API', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start({}, RULES);
  });
  afterAll(() => broker.close());

  const post = (path: string, body: unknown) => broker.post(path, body);
  const detail = async (subject: string, query = '') => (await get(broker, `/api/admin/subjects/${q(subject)}${query}`)).body;

  it('lists subjects with their figures, ordered by subject, in stable pages', async () => {
    const root = uniqueSubject('admin');
    const names = ['b', 'a', 'c.x', 'c', 'd'].map((tail) => `${root}.${tail}`);
    for (const subject of names) await broker.subscribe(subject);
    await broker.publish(`${root}.a`, 'hello');
    await broker.publish(`${root}.a`, 'héllo');
    const first = await get(broker, `/api/admin/subjects?prefix=${q(root + '.')}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.subjects).toEqual([
      { subject: `${root}.a`, subscribers: 1, pending: 2, pendingBytes: 11, inFlight: 0, retained: 0 },
      { subject: `${root}.b`, subscribers: 1, pending: 0, pendingBytes: 0, inFlight: 0, retained: 0 },
    ]);
    expect(typeof first.body.next).toBe('string');
    // A subject that comes before the cursor, and one that goes, shift nothing.
    await broker.subscribe(`${root}.a0`);
    const second = await get(broker, `/api/admin/subjects?prefix=${q(root + '.')}&limit=2&cursor=${first.body.next}`);
    expect(second.body.subjects.map((one: { subject: string }) => one.subject)).toEqual([`${root}.c`, `${root}.c.x`]);
    const third = await get(broker, `/api/admin/subjects?prefix=${q(root + '.')}&limit=2&cursor=${second.body.next}`);
    expect(third.body).toEqual({ subjects: [expect.objectContaining({ subject: `${root}.d` })], next: null });
  });

  it('shows a subject with its subscribers and their settings, absent settings left out', async () => {
    const subject = uniqueSubject('admin');
    const plain = await broker.subscribe(subject);
    const acked = (await post('/api/subscribe', { subject, name: 'worker', ackWaitMs: 30000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead` })).body.id;
    for (const data of ['1', '2', '3']) await broker.publish(subject, data);
    await broker.fetchMessages(subject, acked, { max: 1 });
    const body = await detail(subject);
    expect(body).toMatchObject({ subject, subscriberCount: 2, pending: 3, pendingBytes: 3, inFlight: 1, retained: 0, next: null });
    const byId = Object.fromEntries(body.subscribers.map((one: { id: string }) => [one.id, one]));
    expect(byId[plain]).toEqual({ id: plain, pending: 3, inFlight: 0, lastActiveAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), streams: 0 });
    expect(byId[acked]).toEqual({
      id: acked, name: 'worker', ackWaitMs: 30000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 1000,
      pending: 2, inFlight: 1, lastActiveAt: expect.any(String), streams: 0,
    });
    expect(body.subscribers.map((one: { id: string }) => one.id)).toEqual([plain, acked].sort());
    // Pages of subscribers, by id.
    const page = await detail(subject, '?limit=1');
    expect(page.subscribers).toHaveLength(1);
    const rest = await detail(subject, `?limit=1&cursor=${page.next}`);
    expect([...page.subscribers, ...rest.subscribers].map((one: { id: string }) => one.id)).toEqual([plain, acked].sort());
    expect(rest.next).toBeNull();
  });

  it("counts each subscriber's event streams open on this instance", async () => {
    const subject = uniqueSubject('admin');
    const id = await broker.subscribe(subject);
    const streamsOf = async () => (await detail(subject)).subscribers.find((one: { id: string }) => one.id === id).streams;
    const readers = [new AbortController(), new AbortController()];
    try {
      for (const reader of readers) {
        const stream = await fetch(`${broker.url}/api/stream?subject=${q(subject)}&id=${id}`, { signal: reader.signal });
        expect(stream.status).toBe(200);
      }
      expect(await streamsOf()).toBe(2);
      readers[0].abort();
      await eventually(async () => (await streamsOf()) === 1);
    } finally {
      for (const reader of readers) reader.abort();
    }
    await eventually(async () => (await streamsOf()) === 0);
  });

  it('peeks at the next messages of a subscriber, or the oldest of a subject, changing nothing', async () => {
    const subject = uniqueSubject('admin');
    const early = await broker.subscribe(subject);
    await broker.publish(subject, 'one');
    const late = await broker.subscribe(subject);
    await broker.publish(subject, 'two');
    const before = await detail(subject);
    const ofSubject = await post('/api/admin/peek', { subject });
    expect(ofSubject).toMatchObject({ status: 200, body: { messages: [{ seq: expect.any(Number), data: 'one' }, { seq: expect.any(Number), data: 'two' }] } });
    expect((await post('/api/admin/peek', { subject, id: late })).body.messages.map((m: { data: string }) => m.data)).toEqual(['two']);
    expect((await post('/api/admin/peek', { subject, id: early, max: 1 })).body.messages.map((m: { data: string }) => m.data)).toEqual(['one']);
    // Nothing taken, nothing refreshed.
    expect(await detail(subject)).toEqual(before);
    expect((await broker.fetchMessages(subject, early)).body.data).toEqual(['one', 'two']);
  });

  it("peeks an acknowledged subscriber's messages due again first, without a delivery", async () => {
    const subject = uniqueSubject('admin');
    const id = (await post('/api/subscribe', { subject, ackWaitMs: 30000 })).body.id;
    for (const data of ['a', 'b', 'c']) await broker.publish(subject, data);
    const taken = (await broker.fetchMessages(subject, id, { max: 2 })).body.messages;
    await post('/api/nack', { subject, id, seqs: [taken[1].seq] });
    const peeked = (await post('/api/admin/peek', { subject, id })).body.messages;
    expect(peeked.map((m: { data: string }) => m.data)).toEqual(['b', 'c']);
    const again = (await broker.fetchMessages(subject, id)).body.messages;
    expect(again.map((m: { data: string; deliveries: number }) => [m.data, m.deliveries])).toEqual([['b', 2], ['c', 1]]);
  });

  it("peeks a retained subject's messages with their publish time", async () => {
    const subject = uniqueSubject('kept');
    await broker.publish(subject, 'kept one');
    const { messages } = (await post('/api/admin/peek', { subject })).body;
    expect(messages).toEqual([{ seq: expect.any(Number), data: 'kept one', time: expect.stringMatching(/Z$/) }]);
  });

  it('purges every pending message of a subject, with the counts at once; messages in flight stay', async () => {
    const subject = uniqueSubject('admin');
    const plain = await broker.subscribe(subject);
    const acked = (await post('/api/subscribe', { subject, ackWaitMs: 30000 })).body.id;
    for (const data of ['1', '2', '3', '4']) await broker.publish(subject, data);
    const inFlight = (await broker.fetchMessages(subject, acked, { max: 1 })).body.messages[0];
    const purged = await post('/api/admin/purge', { subject });
    // Each subscriber's pending messages: 4 of the one, 3 of the other (its 4th is in flight).
    expect(purged).toMatchObject({ status: 200, body: { purged: 7 } });
    // The message in flight holds the log from its seq on until it is settled (the ack floor).
    expect(await detail(subject)).toMatchObject({ pending: 4, pendingBytes: 4, inFlight: 1, subscribers: [{ pending: 0 }, { pending: 0 }] });
    expect((await broker.fetchMessages(subject, plain)).body).toMatchObject({ data: [], remaining: 0 });
    expect((await post('/api/ack', { subject, id: acked, seqs: [inFlight.seq] })).body).toEqual({ acked: 1 });
    expect(await detail(subject)).toMatchObject({ pending: 0, pendingBytes: 0, inFlight: 0 });
    // New messages flow again.
    await broker.publish(subject, '5');
    expect((await broker.fetchMessages(subject, plain)).body.data).toEqual(['5']);
    expect((await broker.fetchMessages(subject, acked)).body.data).toEqual(['5']);
  });

  it('purges one subscriber, leaving the others their messages', async () => {
    const subject = uniqueSubject('admin');
    const [one, other] = [await broker.subscribe(subject), await broker.subscribe(subject)];
    for (const data of ['1', '2']) await broker.publish(subject, data);
    expect((await post('/api/admin/purge', { subject, id: one })).body).toEqual({ purged: 2 });
    expect((await broker.fetchMessages(subject, one)).body.data).toEqual([]);
    expect((await broker.fetchMessages(subject, other)).body.data).toEqual(['1', '2']);
    expect(await detail(subject)).toMatchObject({ pending: 0 });
  });

  it('purges a retained subject, its retained messages too, and counts it in a metric', async () => {
    const subject = uniqueSubject('kept');
    for (const data of ['x', 'y']) await broker.publish(subject, data);
    const scrape = () => MetricsScrape.of(broker.get(MetricsServer).url);
    const before = (await scrape()).sum('gophermq_purged_messages_total');
    expect(await detail(subject)).toMatchObject({ subscriberCount: 0, pending: 2, retained: 2 });
    expect((await post('/api/admin/purge', { subject })).body).toEqual({ purged: 2 });
    // Left with neither messages nor subscribers, the retention sweep (every second) may already
    // have forgotten it: either answer says nothing is kept.
    const after = await detail(subject);
    if (after.message === 'subject not found') expect(after).toEqual({ message: 'subject not found' });
    else expect(after).toMatchObject({ pending: 0, retained: 0, pendingBytes: 0 });
    expect((await scrape()).sum('gophermq_purged_messages_total')).toBe(before + 2);
    const late = (await post('/api/subscribe', { subject, deliver: 'all' })).body.id;
    expect((await broker.fetchMessages(subject, late)).body.data).toEqual([]);
  });

  it('removes any subscriber, ending its waiting fetch', async () => {
    const subject = uniqueSubject('admin');
    const id = await broker.subscribe(subject);
    const waiting = broker.fetchMessages(subject, id, { waitMs: 10_000 });
    const started = Date.now();
    expect((await post('/api/admin/unsubscribe', { subject, id })).body).toEqual({ status: 'ok' });
    expect((await waiting).body.data).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await get(broker, `/api/admin/subjects/${q(subject)}`)).toMatchObject({ status: 404, body: { message: 'subject not found' } });
    expect(await post('/api/admin/unsubscribe', { subject, id })).toMatchObject({ status: 404, body: { message: 'bad id' } });
  });

  it('tells broker-wide counts, limits, uptime, version and store', async () => {
    const { status, body } = await get(broker, '/api/admin/stats');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      store: expect.stringMatching(/^(memory|redis)$/),
      uptimeSeconds: expect.any(Number),
      counts: { messagesHeld: expect.any(Number), subscribers: expect.any(Number), subjects: expect.any(Number) },
      limits: { maxPending: expect.any(Number), maxSubscribers: expect.any(Number), maxInFlight: expect.any(Number) },
      totals: { published: expect.any(Number), purged: expect.any(Number) },
    });
    expect(body.instances === null || body.instances >= 1).toBe(true);
  });

  it("tells the requests this instance answered and its errors, from the broker's own counters", async () => {
    const totals = async () => (await get(broker, '/api/admin/stats')).body.totals;
    const before = await totals();
    expect(before).toMatchObject({ requests: expect.any(Number), clientErrors: expect.any(Number), serverErrors: expect.any(Number), denied: 0 });
    await broker.publish(uniqueSubject('admin'), 'nobody listens'); // 404 subscriber not found
    await get(broker, '/api/admin/subjects?limit=0'); // 400
    // The counters are counted once the answer is sent: the next stats may come a moment after.
    await eventually(async () => (await totals()).clientErrors >= before.clientErrors + 2);
    const after = await totals();
    expect(after.requests).toBeGreaterThanOrEqual(before.requests + 3);
    expect(after.serverErrors).toBe(before.serverErrors);
  });

  describe('bad input: a 4xx with a message', () => {
    it.each([
      ['limit 0', '/api/admin/subjects?limit=0', 'limit: must be an integer from 1 to 1000'],
      ['limit 1001', '/api/admin/subjects?limit=1001', 'limit: must be an integer from 1 to 1000'],
      ['limit x', '/api/admin/subjects?limit=x', 'limit: must be an integer from 1 to 1000'],
      ['limit twice', '/api/admin/subjects?limit=1&limit=2', 'limit: given more than once'],
      ['a garbage cursor', '/api/admin/subjects?cursor=%21%21', 'cursor: not a cursor this API answered'],
      ['a cursor of no subject', `/api/admin/subjects?cursor=${Buffer.from('a..b').toString('base64url')}`, 'cursor: not a cursor this API answered'],
      ['a prefix with a space', '/api/admin/subjects?prefix=a%20b', 'prefix: must be at most 256 characters, without whitespace'],
      ['an invalid subject', '/api/admin/subjects/a..b', 'invalid subject'],
      ['a subscriber cursor that is no id', `/api/admin/subjects/x?cursor=${Buffer.from('x').toString('base64url')}`, 'cursor: not a cursor this API answered'],
      ['limit 0 on a subject', '/api/admin/subjects/x?limit=0', 'limit: must be an integer from 1 to 1000'],
    ])('GET with %s: 400', async (_, path, message) => {
      expect(await get(broker, path)).toMatchObject({ status: 400, body: { message } });
    });

    it('an unknown subject: 404 subject not found', async () => {
      const subject = uniqueSubject('nobody');
      expect(await get(broker, `/api/admin/subjects/${q(subject)}`)).toMatchObject({ status: 404, body: { message: 'subject not found' } });
      expect(await post('/api/admin/peek', { subject })).toMatchObject({ status: 404, body: { message: 'subject not found' } });
      expect(await post('/api/admin/purge', { subject })).toMatchObject({ status: 404, body: { message: 'subject not found' } });
    });

    it.each([
      ['peek', { subject: 'a..b' }, 400, 'invalid subject'],
      ['peek', { subject: 'x', max: 0 }, 400, "request's body is invalid"],
      ['peek', { subject: 'x', max: 101 }, 400, "request's body is invalid"],
      ['peek', { subject: 'x', id: 'not-an-id' }, 404, 'bad id'],
      ['purge', { subject: 'x', id: 7 }, 400, "request's body is invalid"],
      ['purge', { subject: 'x', id: '00000000-0000-4000-8000-000000000000' }, 404, 'bad id'],
      ['unsubscribe', { subject: 'x' }, 400, "request's body is invalid"],
      ['unsubscribe', { subject: 'x', id: '00000000-0000-4000-8000-000000000000' }, 404, 'bad id'],
    ])('POST %s %j: %i', async (route, body, status, message) => {
      expect(await post(`/api/admin/${route}`, body)).toMatchObject({ status, body: { message } });
    });

    it('a subject with a slash, URL-encoded, is found', async () => {
      const subject = `${uniqueSubject('admin')}.a/b`;
      await broker.subscribe(subject);
      expect(await get(broker, `/api/admin/subjects/${q(subject)}`)).toMatchObject({ status: 200, body: { subject } });
    });
  });
});

describe('management API access', () => {
  const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
  const yaml = `auth:\n  enable: true\n  tokens:\n    - name: ops\n      sha256: ${sha256('ops-secret-000001')}\n      manage: true\n    - name: app\n      sha256: ${sha256('app-secret-000001')}\n      publish: [">"]\n      subscribe: [">"]\n`;

  it('needs a token with manage: true (the admin token has it); others get 403 forbidden', async () => {
    const broker = await TestBroker.start({ AUTH_ADMIN__TOKEN: 'admin-secret-000001', AUTH_SUBSCRIBER__ID__SECRET: 'x'.repeat(32) }, yaml);
    try {
      const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
      expect(await get(broker, '/api/admin/stats', bearer('ops-secret-000001'))).toMatchObject({ status: 200 });
      expect(await get(broker, '/api/admin/subjects', bearer('admin-secret-000001'))).toMatchObject({ status: 200 });
      expect(await get(broker, '/api/admin/subjects', bearer('app-secret-000001'))).toMatchObject({ status: 403, body: { message: 'forbidden' } });
      expect(await get(broker, '/api/admin/subjects/x', bearer('app-secret-000001'))).toMatchObject({ status: 403, body: { message: 'forbidden' } });
      expect(await get(broker, '/api/admin/subjects')).toMatchObject({ status: 401, body: { message: 'unauthorized' } });
      const purge = await broker.post('/api/admin/purge', { subject: 'x' }, { headers: { 'content-type': 'application/json', ...bearer('app-secret-000001') } });
      expect(purge).toMatchObject({ status: 403, body: { message: 'forbidden' } });
      expect((await get(broker, '/api/admin/stats', bearer('ops-secret-000001'))).body.totals.denied).toBeGreaterThanOrEqual(4);
      // The admin API shows store ids: the app's tagged id is not one.
      const subject = uniqueSubject('admin');
      const tagged = (await broker.post('/api/subscribe', { subject }, { headers: { 'content-type': 'application/json', ...bearer('app-secret-000001') } })).body.id as string;
      const shown = (await get(broker, `/api/admin/subjects/${q(subject)}`, bearer('ops-secret-000001'))).body.subscribers[0].id as string;
      expect(tagged.startsWith(shown)).toBe(true);
      expect(tagged).not.toBe(shown);
    } finally {
      await broker.close();
    }
  });

  it('broker.serve-admin false: the routes do not exist', async () => {
    await TestBroker.using({ BROKER_SERVE__ADMIN: 'false' }, async (broker) => {
      expect((await get(broker, '/api/admin/stats')).status).toBe(404);
      expect((await broker.post('/api/admin/purge', { subject: 'x' })).status).toBe(404);
    });
  });
});
