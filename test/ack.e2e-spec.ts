import { BrokerService } from '../src/broker/broker.service.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker, uniqueSubject, type Answer } from './support/test-broker.js';
import { eventually } from './support/eventually.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shortest deadline the API accepts, so redeliveries come soon. */
const ACK_WAIT_MS = 1000;

/** Acknowledged delivery (at least once), over real HTTP. */
describe('acknowledged delivery', () => {
  let broker: TestBroker;
  let service: BrokerService;

  beforeAll(async () => {
    broker = await TestBroker.start();
    service = broker.get(BrokerService);
  });
  afterAll(() => broker.close());

  async function subscribe(subject: string, settings: Record<string, unknown> = { ackWaitMs: ACK_WAIT_MS }): Promise<string> {
    const { status, body } = await broker.post('/api/subscribe', { subject, ...settings });
    if (status !== 200) throw new Error(`subscribe ${subject}: ${status} ${JSON.stringify(body)}`);
    return body.id;
  }

  const fetchFrom = (subject: string, id: string, extra: Record<string, unknown> = {}) => broker.fetchMessages(subject, id, extra);
  const settle = (route: 'ack' | 'nack' | 'extend', subject: string, id: string, seqs: number[], extra: Record<string, unknown> = {}) =>
    broker.post(`/api/${route}`, { subject, id, seqs, ...extra });
  const seqsOf = (answer: Answer) => (answer.body.messages as Array<{ seq: number }>).map(({ seq }) => seq);

  describe('subscribe', () => {
    it('echoes the settings it was given, and maxAckPending (1000 unless given)', async () => {
      const subject = uniqueSubject();
      const full = await broker.post('/api/subscribe', { subject, ackWaitMs: 30_000, maxDeliveries: 5, deadLetterSubject: `${subject}.dead`, maxAckPending: 20 });
      expect(full.status).toBe(200);
      expect(JSON.stringify(full.body)).toBe(
        JSON.stringify({ id: full.body.id, subject, ackWaitMs: 30_000, maxDeliveries: 5, deadLetterSubject: `${subject}.dead`, maxAckPending: 20 }),
      );
      const some = await broker.post('/api/subscribe', { subject, ackWaitMs: 1000, maxDeliveries: 1 });
      expect(some.body).toEqual({ id: expect.any(String), subject, ackWaitMs: 1000, maxDeliveries: 1, maxAckPending: 1000 });
      const least = await broker.post('/api/subscribe', { subject, ackWaitMs: 43_200_000, maxAckPending: 100_000 });
      expect(least.body).toEqual({ id: expect.any(String), subject, ackWaitMs: 43_200_000, maxAckPending: 100_000 });
    });

    it.each([
      ['ackWaitMs', { ackWaitMs: 999 }],
      ['ackWaitMs', { ackWaitMs: 43_200_001 }],
      ['ackWaitMs', { ackWaitMs: 1000.5 }],
      ['ackWaitMs', { ackWaitMs: '1000' }],
      ['maxDeliveries', { ackWaitMs: 1000, maxDeliveries: 0 }],
      ['maxDeliveries', { ackWaitMs: 1000, maxDeliveries: 1001 }],
      ['maxDeliveries', { ackWaitMs: 1000, maxDeliveries: 1.5 }],
      ['maxDeliveries', { maxDeliveries: 3 }],
      ['deadLetterSubject', { ackWaitMs: 1000, maxDeliveries: 3, deadLetterSubject: 'a..b' }],
      ['deadLetterSubject', { ackWaitMs: 1000, maxDeliveries: 3, deadLetterSubject: 'a b' }],
      ['deadLetterSubject', { ackWaitMs: 1000, maxDeliveries: 3, deadLetterSubject: 7 }],
      ['deadLetterSubject', { ackWaitMs: 1000, deadLetterSubject: 'a.dead' }],
      ['maxAckPending', { ackWaitMs: 1000, maxAckPending: 0 }],
      ['maxAckPending', { ackWaitMs: 1000, maxAckPending: 100_001 }],
      ['maxAckPending', { ackWaitMs: 1000, maxAckPending: 2.5 }],
      ['maxAckPending', { maxAckPending: 10 }],
    ])('refuses a bad %s with 400 naming it: %j', async (field, settings) => {
      const { status, body } = await broker.post('/api/subscribe', { subject: uniqueSubject(), ...settings });
      expect(status).toBe(400);
      expect(body.message).toBe("request's body is invalid");
      expect(body.errors).toEqual([expect.stringMatching(new RegExp(`^${field}: `))]);
    });

    it('refuses maxDeliveries and deadLetterSubject without what they need, naming both', async () => {
      const withoutAckWait = await broker.post('/api/subscribe', { subject: uniqueSubject(), maxDeliveries: 3, deadLetterSubject: 'a.dead' });
      expect(withoutAckWait).toMatchObject({ status: 400, body: { message: "request's body is invalid" } });
      expect(withoutAckWait.body.errors).toEqual(['maxDeliveries: only together with ackWaitMs', 'deadLetterSubject: only together with ackWaitMs']);
      const alone = await broker.post('/api/subscribe', { subject: uniqueSubject(), deadLetterSubject: 'a.dead' });
      expect(alone.body.errors).toEqual(['deadLetterSubject: only together with maxDeliveries']);
    });

    it('refuses a deadLetterSubject equal to the subject', async () => {
      const subject = uniqueSubject();
      const { status, body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 1000, maxDeliveries: 3, deadLetterSubject: subject });
      expect({ status, body }).toEqual({ status: 400, body: { message: "request's body is invalid", errors: ['deadLetterSubject: must differ from subject'] } });
    });
  });

  describe('at-most-once subscribers', () => {
    it('answer exactly as before: no settings echoed, no messages in fetch, nothing in flight', async () => {
      const subject = uniqueSubject();
      const subscribed = await broker.post('/api/subscribe', { subject });
      expect(Object.keys(subscribed.body)).toEqual(['id', 'subject']);
      const id = subscribed.body.id;
      await broker.publish(subject, 'one');
      const fetched = await fetchFrom(subject, id);
      expect(JSON.stringify(fetched.body)).toBe(JSON.stringify({ subject, id, data: ['one'], remaining: 0 }));
      expect((await fetchFrom(subject, id)).body.data).toEqual([]);
    });

    it.each(['ack', 'nack', 'extend'] as const)('%s answers 400 subscriber does not use acknowledgements', async (route) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const { status, body } = await settle(route, subject, id, [1]);
      expect({ status, body }).toEqual({ status: 400, body: { message: 'subscriber does not use acknowledgements' } });
    });
  });

  describe('ack, nack and extend', () => {
    it.each(['ack', 'nack', 'extend'] as const)('%s answers 404 bad id for an unknown subscriber', async (route) => {
      const { status, body } = await settle(route, uniqueSubject(), 'no-such-id', [1]);
      expect({ status, body }).toEqual({ status: 404, body: { message: 'bad id' } });
    });

    it.each([
      ['ack', 'seqs', 'empty', { seqs: [] }],
      ['ack', 'seqs', '1001 of them', { seqs: Array.from({ length: 1001 }, (_, i) => i + 1) }],
      ['ack', 'seqs[0]', '0', { seqs: [0] }],
      ['extend', 'seqs[1]', '2.5', { seqs: [1, 2.5] }],
      ['extend', 'seqs[0]', 'a string', { seqs: ['1'] }],
      ['nack', 'seqs', 'not an array', { seqs: 1 }],
      ['nack', 'seqs', 'missing', {}],
      ['nack', 'delayMs', '-1', { seqs: [1], delayMs: -1 }],
      ['nack', 'delayMs', '43200001', { seqs: [1], delayMs: 43_200_001 }],
      ['nack', 'delayMs', '0.5', { seqs: [1], delayMs: 0.5 }],
    ])('%s refuses %s (%s) with 400 naming it', async (route, field, _, fields) => {
      const { status, body } = await broker.post(`/api/${route}`, { subject: 'a', id: 'b', ...fields });
      expect(status).toBe(400);
      expect(body.errors[0].startsWith(`${field}: `)).toBe(true);
      // As for a batch entry, a bad entry of a list is named in the message itself.
      expect(body.message).toBe(field.includes('[') ? body.errors[0] : "request's body is invalid");
    });

    it('take a full list of 1000 seqs', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject);
      const { status, body } = await settle('ack', subject, id, Array.from({ length: 1000 }, (_, i) => i + 1));
      expect({ status, body }).toEqual({ status: 200, body: { acked: 0 } });
    });

    it('are timed under their own method labels', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject);
      for (const route of ['ack', 'nack', 'extend'] as const) expect((await settle(route, subject, id, [1])).status).toBe(200);
      const scrape = await MetricsScrape.of(broker.get(MetricsServer).url);
      for (const method of ['ack', 'nack', 'extend']) {
        expect(scrape.value('gophermq_request_duration_seconds_count', { method, code: '200' })).toBeGreaterThanOrEqual(1);
      }
    });
  });

  describe('OpenAPI', () => {
    it('describes the new routes and fields, with examples', async () => {
      const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
      const { schemas } = document.components;
      for (const [route, request, counted] of [
        ['/api/ack', 'SettleRequestDto', 'acked'],
        ['/api/nack', 'NackRequestDto', 'nacked'],
        ['/api/extend', 'SettleRequestDto', 'extended'],
      ]) {
        const { requestBody, responses } = document.paths[route].post;
        expect(requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${request}`);
        const answer = responses['200'].content['application/json'].schema.$ref.split('/').pop();
        expect(schemas[answer].properties[counted]).toMatchObject({ type: 'integer', example: expect.any(Number) });
        expect(responses['400'].content['application/json'].example).toEqual({ message: 'subscriber does not use acknowledgements' });
        expect(responses['404'].content['application/json'].example).toEqual({ message: 'bad id' });
      }
      expect(schemas.SettleRequestDto.properties.seqs).toMatchObject({ maxItems: 1000, minItems: 1, items: { type: 'integer', minimum: 1 }, example: [1, 2] });
      expect(schemas.NackRequestDto.required).toEqual(['subject', 'id', 'seqs']);
      expect(schemas.NackRequestDto.properties.delayMs).toMatchObject({ type: 'integer', minimum: 0, maximum: 43_200_000, example: 5000 });
      expect(schemas.SubscribeRequestDto.required).toEqual(['subject']);
      expect(schemas.SubscribeRequestDto.properties.ackWaitMs).toMatchObject({ type: 'integer', minimum: 1000, maximum: 43_200_000, example: 30000 });
      expect(schemas.SubscribeRequestDto.properties.maxDeliveries).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, example: 5 });
      expect(schemas.SubscribeRequestDto.properties.deadLetterSubject).toMatchObject({ maxLength: 256, example: 'orders.created.dead' });
      expect(Object.keys(document.paths['/api/subscribe'].post.responses['200'].content['application/json'].examples)).toEqual(['at most once', 'acknowledged', 'push']);
      expect(Object.keys(document.paths['/api/fetch'].post.responses['200'].content['application/json'].examples)).toEqual(['at most once', 'acknowledged', 'lean']);
      expect(schemas.FetchResponseDto.required).not.toContain('messages');
      // deliveries: only for an acknowledged subscriber (an at-most-once one of a retained subject gets seq, data and time).
      expect(schemas.DeliveredMessageDto.required).toEqual(['seq', 'data']);
    });
  });

  describe('fetch', () => {
    it('adds messages with seq and deliveries; in-flight messages are not fetched again nor counted in remaining', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject, { ackWaitMs: 60_000 });
      const other = await subscribe(subject, { ackWaitMs: 60_000 });
      await broker.post('/api/publish/batch', { messages: ['a', 'b', 'c'].map((data) => ({ subject, data })) });

      const first = await fetchFrom(subject, id, { max: 2 });
      expect(Object.keys(first.body)).toEqual(['subject', 'id', 'data', 'remaining', 'messages']);
      const [a, b] = first.body.messages;
      expect(first.body).toEqual({
        subject,
        id,
        data: ['a', 'b'],
        remaining: 1,
        messages: [
          { seq: a.seq, data: 'a', deliveries: 1 },
          { seq: b.seq, data: 'b', deliveries: 1 },
        ],
      });
      expect(a.seq).toBeGreaterThan(0);
      expect(b.seq).toBeGreaterThan(a.seq);

      const second = await fetchFrom(subject, id);
      expect(second.body).toMatchObject({ data: ['c'], remaining: 0, messages: [{ data: 'c', deliveries: 1 }] });
      expect(second.body.messages[0].seq).toBeGreaterThan(b.seq);
      expect((await fetchFrom(subject, id)).body).toMatchObject({ data: [], remaining: 0, messages: [] });

      // The same seqs for every subscriber of the subject.
      expect(seqsOf(await fetchFrom(subject, other))).toEqual([a.seq, b.seq, second.body.messages[0].seq]);
    });
  });

  it('streams a large answer, messages included, as the same JSON', async () => {
    const subject = uniqueSubject();
    const id = await subscribe(subject, { ackWaitMs: 60_000 });
    const data = ['a', 'b', 'c'].map((letter) => `${letter}"\u0001`.repeat(60_000));
    for (const message of data) expect((await broker.publish(subject, message)).status).toBe(200);
    const answer = await fetchFrom(subject, id);
    expect(answer.headers.get('transfer-encoding')).toBe('chunked');
    expect(answer.body).toEqual({ subject, id, data, remaining: 0, messages: data.map((message) => ({ seq: expect.any(Number), data: message, deliveries: 1 })) });
    expect((await settle('ack', subject, id, seqsOf(answer))).body).toEqual({ acked: 3 });
  });

  describe('redelivery', () => {
    it('delivers a message again after ackWaitMs, with deliveries 2, to a fetch that waits for it', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject);
      await broker.publish(subject, 'retry me');
      const first = await fetchFrom(subject, id);
      const deliveredAt = Date.now();
      expect(first.body.messages).toEqual([{ seq: expect.any(Number), data: 'retry me', deliveries: 1 }]);

      const waiting = await fetchFrom(subject, id, { waitMs: 5000 });
      const elapsed = Date.now() - deliveredAt;
      expect(waiting.body).toMatchObject({ data: ['retry me'], messages: [{ seq: first.body.messages[0].seq, data: 'retry me', deliveries: 2 }] });
      expect(elapsed).toBeGreaterThanOrEqual(ACK_WAIT_MS - 50);
      expect(elapsed).toBeLessThan(ACK_WAIT_MS + 1000);
    });

    it('stops once the message is acked; a second ack of it does not count', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject);
      await broker.publish(subject, 'done');
      const [seq] = seqsOf(await fetchFrom(subject, id));
      expect((await settle('ack', subject, id, [seq])).body).toEqual({ acked: 1 });
      expect((await settle('ack', subject, id, [seq])).body).toEqual({ acked: 0 });
      expect((await settle('ack', subject, id, [seq, seq + 1000])).body).toEqual({ acked: 0 });
      // Past its deadline, nothing comes back.
      expect((await fetchFrom(subject, id, { waitMs: ACK_WAIT_MS + 500 })).body).toMatchObject({ data: [], remaining: 0 });
    });

    it('is prevented by extend, which restarts the deadline', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject);
      await broker.publish(subject, 'slow work');
      const [seq] = seqsOf(await fetchFrom(subject, id));
      const deliveredAt = Date.now();
      await sleep(ACK_WAIT_MS / 2);
      expect((await settle('extend', subject, id, [seq, seq + 1000])).body).toEqual({ extended: 1 });
      const extendedAt = Date.now();
      // Waits past the first deadline: nothing.
      const during = await fetchFrom(subject, id, { waitMs: Math.max(1, Math.round(deliveredAt + ACK_WAIT_MS + 200 - Date.now())) });
      expect(during.body.data).toEqual([]);
      // The new deadline still holds: it comes back after it.
      const after = await fetchFrom(subject, id, { waitMs: 3000 });
      expect(after.body.messages).toEqual([{ seq, data: 'slow work', deliveries: 2 }]);
      expect(Date.now() - extendedAt).toBeGreaterThanOrEqual(ACK_WAIT_MS - 50);
    });
  });

  describe('nack', () => {
    it('without delay makes a message available at once, before newer ones, and wakes a waiting fetch', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject, { ackWaitMs: 60_000 });
      await broker.publish(subject, 'first');
      const [seq] = seqsOf(await fetchFrom(subject, id));
      await broker.publish(subject, 'second');
      expect((await fetchFrom(subject, id, { max: 1 })).body.data).toEqual(['second']);

      const waiting = fetchFrom(subject, id, { waitMs: 10_000 });
      await eventually(() => service.waiters.size > 0);
      expect((await settle('nack', subject, id, [seq])).body).toEqual({ nacked: 1 });
      expect((await waiting).body.messages).toEqual([{ seq, data: 'first', deliveries: 2 }]);
      expect((await settle('nack', subject, id, [seq + 1000])).body).toEqual({ nacked: 0 });
    });

    it('puts available-again messages first, lowest seq first', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject, { ackWaitMs: 60_000 });
      await broker.post('/api/publish/batch', { messages: ['1', '2', '3'].map((data) => ({ subject, data })) });
      const seqs = seqsOf(await fetchFrom(subject, id, { max: 2 }));
      expect((await settle('nack', subject, id, [seqs[1], seqs[0]], { delayMs: 0 })).body).toEqual({ nacked: 2 });
      expect((await fetchFrom(subject, id)).body).toMatchObject({ data: ['1', '2', '3'], remaining: 0 });
    });

    it('with delayMs makes it available after that delay, not before', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject, { ackWaitMs: 60_000 });
      await broker.publish(subject, 'later');
      const [seq] = seqsOf(await fetchFrom(subject, id));
      expect((await settle('nack', subject, id, [seq], { delayMs: 700 })).body).toEqual({ nacked: 1 });
      const nackedAt = Date.now();
      expect((await fetchFrom(subject, id)).body).toMatchObject({ data: [], remaining: 0 });
      const waited = await fetchFrom(subject, id, { waitMs: 5000 });
      expect(waited.body.messages).toEqual([{ seq, data: 'later', deliveries: 2 }]);
      expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(650);
    });
  });

  describe('dead letters', () => {
    it('after maxDeliveries, a message goes to the subscribers of deadLetterSubject, or is dropped without one, and not back', async () => {
      const subject = uniqueSubject();
      const deadLetterSubject = `${subject}.dead`;
      const watcher = await broker.subscribe(deadLetterSubject);
      const id = await subscribe(subject, { ackWaitMs: ACK_WAIT_MS, maxDeliveries: 2, deadLetterSubject });
      const withoutDeadLetters = await subscribe(subject, { ackWaitMs: ACK_WAIT_MS, maxDeliveries: 2 });
      const droppedBefore = (await service.store.stats()).deadLetterDropped;
      await broker.publish(subject, 'poison');
      for (const deliveries of [1, 2]) {
        const answers = await Promise.all([id, withoutDeadLetters].map((subscriber) => fetchFrom(subject, subscriber, { waitMs: 5000 })));
        for (const { body } of answers) expect(body.messages).toMatchObject([{ data: 'poison', deliveries }]);
      }

      const dead = await fetchFrom(deadLetterSubject, watcher, { waitMs: 5000 });
      expect(dead.body).toEqual({ subject: deadLetterSubject, id: watcher, data: ['poison'], remaining: 0 });
      await eventually(async () => (await service.store.stats()).deadLetterDropped === droppedBefore + 1);
      for (const subscriber of [id, withoutDeadLetters]) expect((await fetchFrom(subject, subscriber)).body).toMatchObject({ data: [], remaining: 0 });
      expect((await fetchFrom(deadLetterSubject, watcher)).body.data).toEqual([]);
    });
  });

  describe('many consumers of one subscriber', () => {
    it('never get a message twice before its deadline and lose none', async () => {
      const subject = uniqueSubject();
      const id = await subscribe(subject, { ackWaitMs: 60_000 });
      const count = 600;
      for (let start = 0; start < count; start += 200) {
        const messages = Array.from({ length: 200 }, (_, i) => ({ subject, data: `m${start + i}` }));
        expect((await broker.post('/api/publish/batch', { messages })).status).toBe(200);
      }
      const seen = new Map<number, string>();
      const duplicates: number[] = [];
      const consumer = async () => {
        while (seen.size < count) {
          const { body } = await fetchFrom(subject, id, { max: 7, waitMs: 200 });
          for (const { seq, data } of body.messages) {
            if (seen.has(seq)) duplicates.push(seq);
            seen.set(seq, data);
          }
          if (body.messages.length > 0) expect((await settle('ack', subject, id, seqsOf({ body } as Answer))).body).toEqual({ acked: body.messages.length });
        }
      };
      await Promise.all(Array.from({ length: 8 }, consumer));
      expect(duplicates).toEqual([]);
      expect(new Set(seen.values()).size).toBe(count);
      expect((await fetchFrom(subject, id)).body).toMatchObject({ data: [], remaining: 0 });
    });
  });
});

describe('acknowledged delivery and the pending limits', () => {
  it('in-flight messages count until acked, and unsubscribe releases them', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING: '2' }, async (broker) => {
      const subject = uniqueSubject();
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
      const id = body.id;
      expect((await broker.publish(subject, 'a')).status).toBe(200);
      expect((await broker.publish(subject, 'b')).status).toBe(200);
      const fetched = await broker.fetchMessages(subject, id);
      expect(fetched.body.remaining).toBe(0);
      expect(await broker.publish(subject, 'c')).toMatchObject({ status: 429, body: { message: 'broker overflow' } });

      expect((await broker.post('/api/ack', { subject, id, seqs: [fetched.body.messages[0].seq] })).body).toEqual({ acked: 1 });
      expect((await broker.publish(subject, 'c')).status).toBe(200);
      expect((await broker.publish(subject, 'd')).status).toBe(429);

      expect((await broker.post('/api/unsubscribe', { subject, id })).status).toBe(200);
      await broker.subscribe(subject);
      expect((await broker.publish(subject, 'e')).status).toBe(200);
      expect((await broker.publish(subject, 'f')).status).toBe(200);
      expect((await broker.get(BrokerService).store.stats()).inFlight).toBe(0);
    });
  });
});

describe('a late ack', () => {
  it('does not count once the deadline has passed, and the message is delivered again', async () => {
    await TestBroker.using({}, async (broker) => {
      const subject = uniqueSubject();
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: ACK_WAIT_MS });
      const id = body.id;
      await broker.publish(subject, 'too late');
      const [{ seq }] = (await broker.fetchMessages(subject, id)).body.messages;
      const store = broker.get(BrokerService).store;
      await eventually(async () => (await store.stats()).inFlight === 0);
      expect((await broker.post('/api/ack', { subject, id, seqs: [seq] })).body).toEqual({ acked: 0 });
      expect((await broker.fetchMessages(subject, id)).body.messages).toEqual([{ seq, data: 'too late', deliveries: 2 }]);
    });
  });
});

describe('acknowledged delivery and idle expiry', () => {
  it('ack, nack and extend count as activity; expiry releases what an idle subscriber had in flight', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (broker) => {
      const service = broker.get(BrokerService);
      const subject = uniqueSubject();
      const subscribe = async () => (await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 })).body.id as string;
      const [idle, acking, nacking, extending] = [await subscribe(), await subscribe(), await subscribe(), await subscribe()];
      await broker.publish(subject, 'held');
      const seqs = new Map<string, number>();
      for (const id of [idle, acking, nacking, extending]) seqs.set(id, (await broker.fetchMessages(subject, id)).body.messages[0].seq);

      const unknown = [seqs.get(idle)! + 1000];
      await eventually(async () => {
        expect((await broker.post('/api/ack', { subject, id: acking, seqs: unknown })).status).toBe(200);
        expect((await broker.post('/api/nack', { subject, id: nacking, seqs: unknown })).status).toBe(200);
        expect((await broker.post('/api/extend', { subject, id: extending, seqs: [seqs.get(extending)] })).body).toEqual({ extended: 1 });
        return service.counters.expiredSubscribers > 0;
      }, 5000);

      expect(service.counters.expiredSubscribers).toBe(1);
      expect(await broker.post('/api/ack', { subject, id: idle, seqs: [seqs.get(idle)] })).toMatchObject({ status: 404, body: { message: 'bad id' } });
      for (const id of [acking, nacking, extending]) {
        expect((await broker.post('/api/ack', { subject, id, seqs: [seqs.get(id)] })).body).toEqual({ acked: 1 });
      }
      expect(await service.store.stats()).toMatchObject({ messagesHeld: 0, inFlight: 0 });
    });
  });
});

describe('bounded messages in flight', () => {
  const seqsOf = (answer: Answer) => (answer.body.messages as Array<{ seq: number }>).map(({ seq }) => seq);

  it('a fetch puts no more than maxAckPending of a subscriber\'s messages in flight; remaining still counts the rest', async () => {
    await TestBroker.using({}, async (broker) => {
      const subject = uniqueSubject();
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, maxAckPending: 3 });
      const id = body.id;
      for (let i = 0; i < 10; i++) await broker.publish(subject, `m${i}`);
      const first = await broker.fetchMessages(subject, id);
      expect({ data: first.body.data, remaining: first.body.remaining }).toEqual({ data: ['m0', 'm1', 'm2'], remaining: 7 });
      const full = await broker.fetchMessages(subject, id);
      expect({ data: full.body.data, remaining: full.body.remaining }).toEqual({ data: [], remaining: 7 });
      const [a, b, c] = seqsOf(first);
      expect((await broker.post('/api/ack', { subject, id, seqs: [a, b] })).body).toEqual({ acked: 2 });
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['m3', 'm4']);
      // A nacked message is available again: it goes before newer ones, within the same bound.
      expect((await broker.post('/api/nack', { subject, id, seqs: [c] })).body).toEqual({ nacked: 1 });
      const again = await broker.fetchMessages(subject, id);
      expect(again.body.messages).toEqual([{ seq: c, data: 'm2', deliveries: 2 }]);
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
    });
  });

  it('a long-poll waiting at maxAckPending is answered as soon as an ack makes room', async () => {
    await TestBroker.using({}, async (broker) => {
      const subject = uniqueSubject();
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, maxAckPending: 1 });
      const id = body.id;
      await broker.publish(subject, 'first');
      await broker.publish(subject, 'second');
      const [seq] = seqsOf(await broker.fetchMessages(subject, id));
      const started = Date.now();
      const waiting = broker.fetchMessages(subject, id, { waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await broker.post('/api/ack', { subject, id, seqs: [seq] });
      const answer = await waiting;
      expect(answer.body.data).toEqual(['second']);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  it('broker.max-in-flight bounds the messages in flight over all subscribers', async () => {
    await TestBroker.using({ BROKER_MAX__IN__FLIGHT: '5' }, async (broker) => {
      const subject = uniqueSubject();
      const subscribe = async () => (await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 })).body.id as string;
      const [one, two] = [await subscribe(), await subscribe()];
      for (let i = 0; i < 8; i++) await broker.publish(subject, `m${i}`);
      const taken = await broker.fetchMessages(subject, one);
      expect(taken.body.data).toHaveLength(5);
      expect(taken.body.remaining).toBe(3);
      const none = await broker.fetchMessages(subject, two);
      expect({ data: none.body.data, remaining: none.body.remaining }).toEqual({ data: [], remaining: 8 });
      expect((await broker.get(BrokerService).store.stats()).inFlight).toBe(5);
      await broker.post('/api/ack', { subject, id: one, seqs: seqsOf(taken).slice(0, 2) });
      expect((await broker.fetchMessages(subject, two)).body.data).toEqual(['m0', 'm1']);
      expect((await broker.get(BrokerService).store.stats()).inFlight).toBe(5);
    });
  });
});

describe('acks carried on the next fetch (`ack` in POST /api/fetch)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  const seqsOf = (answer: Answer) => (answer.body.messages as Array<{ seq: number }>).map(({ seq }) => seq);
  const acknowledged = async (subject: string, settings: Record<string, unknown> = {}) =>
    (await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, ...settings })).body.id as string;

  it('acks those seqs for good, says how many in `acked`, then takes the next messages: one request per batch', async () => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject);
    for (const data of ['a', 'b', 'c', 'd']) await broker.publish(subject, data);
    const first = await broker.fetchMessages(subject, id, { max: 2 });
    expect(first.body).not.toHaveProperty('acked'); // absent unless asked for: old clients see what they saw
    const second = await broker.fetchMessages(subject, id, { max: 2, ack: seqsOf(first) });
    expect(JSON.stringify(second.body)).toBe(JSON.stringify({ subject, id, data: ['c', 'd'], remaining: 0, acked: 2, messages: second.body.messages }));
    // Acked seqs are settled: acking them again counts nothing, and they are never delivered again.
    expect((await broker.post('/api/ack', { subject, id, seqs: seqsOf(first) })).body).toEqual({ acked: 0 });
    const last = await broker.fetchMessages(subject, id, { ack: [...seqsOf(second), 999_999] });
    expect(last.body).toMatchObject({ data: [], remaining: 0, acked: 2 });
    expect(await broker.get(BrokerService).store.stats()).toMatchObject({ inFlight: 0 });
  });

  it('frees room under maxAckPending for the same fetch, and a long-poll waits after its acks', async () => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject, { maxAckPending: 2 });
    for (const data of ['a', 'b', 'c']) await broker.publish(subject, data);
    const first = await broker.fetchMessages(subject, id);
    expect(first.body.data).toEqual(['a', 'b']);
    expect((await broker.fetchMessages(subject, id, { ack: seqsOf(first) })).body).toMatchObject({ data: ['c'], acked: 2 });
    const started = Date.now();
    const waiting = broker.fetchMessages(subject, id, { waitMs: 10_000, ack: [] });
    setTimeout(() => void broker.publish(subject, 'late'), 200);
    expect((await waiting).body).toMatchObject({ data: ['late'], acked: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('is 400 on an at-most-once subscriber, and takes nothing then', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    await broker.publish(subject, 'kept');
    expect(await broker.fetchMessages(subject, id, { ack: [1] })).toMatchObject({ status: 400, body: { message: 'subscriber does not use acknowledgements' } });
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['kept']);
  });

  it.each([
    ['a string', { ack: 'all' }, 'ack: must be an array'],
    ['seq 0', { ack: [0] }, 'ack[0]: must be >= 1'],
    ['a fraction', { ack: [1.5] }, 'ack[0]: must be an integer'],
    ['1,001 seqs', { ack: Array.from({ length: 1001 }, (_, i) => i + 1) }, 'ack: must NOT have more than 1000 items'],
  ])('refuses %s with 400 naming the field', async (_case, extra, problem) => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject);
    const answer = await broker.fetchMessages(subject, id, extra);
    expect(answer.status).toBe(400);
    expect([answer.body.message, ...(answer.body.errors ?? [])].join('\n')).toContain(problem);
  });

  it('is 404 for an unknown subscriber, as fetch and ack are', async () => {
    const subject = uniqueSubject();
    expect(await broker.fetchMessages(subject, '3b241101-e2bb-4255-8caf-4136c566a962', { ack: [1] })).toMatchObject({ status: 404, body: { message: 'bad id' } });
  });
});
