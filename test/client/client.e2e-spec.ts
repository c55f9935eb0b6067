import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchTransport, GopherMQ, GopherMQConnectionError, GopherMQError } from '@gophermq/client';
import { freePort } from '../support/free-port.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';

const RETAINED = 'retention:\n  - subjects: "kept.>"\n    max-messages: 100\n';

// Both transports behind one API: node:http (the Node default) and the platform's fetch().
describe.each([
  ['node:http', (url: string) => new GopherMQ({ url })],
  ['fetch()', (url: string) => new GopherMQ({ url, transport: new FetchTransport(url) })],
])('GopherMQ client over %s', (_name, clientFor) => {
  let broker: TestBroker;
  let mq: GopherMQ;
  beforeAll(async () => {
    broker = await TestBroker.start({}, RETAINED);
    mq = clientFor(broker.url);
  });
  afterAll(async () => {
    mq.close();
    await broker.close();
  });

  it('publishes, publishes a batch, fetches with max, and unsubscribes (at most once)', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject);
    expect(sub).toEqual({ id: expect.any(String), subject });
    await mq.publish(subject, 'one');
    expect(await mq.publishBatch([{ subject, data: 'two' }, { subject: uniqueSubject('nobody'), data: 'x' }, { subject, data: 'three' }])).toEqual([
      { status: 'ok' },
      { message: 'subscriber not found' },
      { status: 'ok' },
    ]);
    expect(await mq.fetch(sub, { max: 2 })).toEqual({ subject, id: sub.id, data: ['one', 'two'], remaining: 1 });
    expect(await mq.fetch(sub)).toEqual({ subject, id: sub.id, data: ['three'], remaining: 0 });
    await mq.unsubscribe(sub);
    await expect(mq.fetch(sub)).rejects.toMatchObject({ name: 'GopherMQError', status: 404, message: 'bad id' });
  });

  it('publishes in the background, and a long-poll fetch (waitMs) answers when it arrives', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject);
    const waiting = mq.fetch(sub, { waitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await mq.publishAsync(subject, 'later');
    expect((await waiting).data).toEqual(['later']);
  });

  it('acknowledged delivery: ack, nack with a delay, extend; the counts the broker answers', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject, { ackWaitMs: 5000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 10 });
    expect(sub).toEqual({ id: expect.any(String), subject, ackWaitMs: 5000, maxDeliveries: 3, deadLetterSubject: `${subject}.dead`, maxAckPending: 10 });
    await mq.publishBatch([{ subject, data: 'a' }, { subject, data: 'b' }]);
    const first = await mq.fetch(sub);
    const [a, b] = first.messages!.map((message) => message.seq);
    expect(first.messages).toEqual([
      { seq: a, data: 'a', deliveries: 1 },
      { seq: b, data: 'b', deliveries: 1 },
    ]);
    expect(await mq.extend(sub, [a, b])).toBe(2);
    expect(await mq.ack(sub, [a])).toBe(1);
    expect(await mq.nack(sub, [b], { delayMs: 300 })).toBe(1);
    expect((await mq.fetch(sub)).data).toEqual([]);
    const again = await mq.fetch(sub, { waitMs: 5000 });
    expect(again.messages).toEqual([{ seq: b, data: 'b', deliveries: 2 }]);
    // More seqs than one request may carry are sent in several.
    expect(await mq.ack(sub, Array.from({ length: 2500 }, (_, i) => b + i))).toBe(1);
  });

  it('a named subscriber with deliver on a retained subject', async () => {
    const subject = `kept.${uniqueSubject()}`;
    await mq.publish(subject, 'before'); // retained: no subscriber needed
    const sub = await mq.subscribe(subject, { name: 'replayer', deliver: 'all' });
    expect(sub).toEqual({ id: expect.any(String), subject, name: 'replayer', deliver: 'all' });
    expect(await mq.subscribe(subject, { name: 'replayer', deliver: 'all' })).toEqual(sub);
    await expect(mq.subscribe(subject, { name: 'replayer', deliver: 'last' })).rejects.toMatchObject({ status: 409, message: 'subscriber exists with other settings' });
    const { messages } = await mq.fetch(sub);
    expect(messages).toEqual([{ seq: expect.any(Number), data: 'before', time: expect.any(String) }]);
    const fromSeq = await mq.subscribe(subject, { deliver: { fromSeq: messages![0].seq } });
    expect(fromSeq.deliver).toEqual({ fromSeq: messages![0].seq });
    expect((await mq.fetch(fromSeq)).data).toEqual(['before']);
  });

  it('errors: status, message and the failed fields; ready', async () => {
    await expect(mq.ready()).resolves.toBeUndefined();
    const refused = await mq.subscribe(uniqueSubject(), { ackWaitMs: 5 }).catch((error) => error);
    expect(refused).toBeInstanceOf(GopherMQError);
    expect({ status: refused.status, message: refused.message, errors: refused.errors }).toEqual({ status: 400, message: "request's body is invalid", errors: ['ackWaitMs: must be >= 1000'] });
    await expect(mq.publish(uniqueSubject(), 'x')).rejects.toMatchObject({ status: 404, message: 'subscriber not found' });
  });

  it('an aborted long-poll rejects at once with the signal\'s reason, and takes nothing', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject);
    const controller = new AbortController();
    const started = Date.now();
    const waiting = mq.fetch(sub, { waitMs: 20_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the broker hears of the closed connection
    await mq.publish(subject, 'kept');
    expect((await mq.fetch(sub)).data).toEqual(['kept']);
  });

  it('a broker that cannot be reached is a GopherMQConnectionError, not an answer', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const gone = clientFor(url);
    const error = await gone.fetch({ subject: 'a', id: 'b' }, { retry: { retries: 1, minDelayMs: 10 } }).catch((e) => e);
    expect(error).toBeInstanceOf(GopherMQConnectionError);
    expect(error).not.toBeInstanceOf(GopherMQError);
    expect(error.code).toBe('ECONNREFUSED');
    gone.close();
  });
});

describe('GopherMQ client: bearer token', () => {
  it('sends the token on every call', async () => {
    await TestBroker.using({ AUTH_ENABLE: 'true', AUTH_ADMIN__TOKEN: 'admin-secret-000001' }, async (broker) => {
      const anonymous = new GopherMQ({ url: broker.url });
      await expect(anonymous.subscribe(uniqueSubject())).rejects.toMatchObject({ status: 401, message: 'unauthorized' });
      const admin = new GopherMQ({ url: broker.url, token: 'admin-secret-000001' });
      const subject = uniqueSubject();
      const sub = await admin.subscribe(subject);
      await admin.publish(subject, 'x');
      expect((await admin.fetch(sub)).data).toEqual(['x']);
      anonymous.close();
      admin.close();
    });
  });
});

/** A server that answers each request with the next of `answers` (status, headers), counting the requests per path. */
async function scripted(answers: Array<[number, Record<string, string>?]>): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.url!);
    const [status, headers] = answers[Math.min(requests.length - 1, answers.length - 1)];
    const body = status === 200 ? { subject: 'a', id: 'b', data: [], remaining: 0, status: 'ok' } : { message: status === 429 ? 'rate limit exceeded' : 'store unavailable' };
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('GopherMQ client: retries', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));
  const start = async (answers: Array<[number, Record<string, string>?]>) => {
    const s = await scripted(answers);
    servers.push(s.server);
    return { ...s, mq: new GopherMQ({ url: s.url, retry: { retries: 3, minDelayMs: 20 } }) };
  };

  it('repeats a fetch after 503 and 429, waiting the Retry-After it is given', async () => {
    const { mq, requests } = await start([[503, { 'retry-after': '1' }], [429], [200]]);
    const started = Date.now();
    expect(await mq.fetch({ subject: 'a', id: 'b' })).toEqual(expect.objectContaining({ data: [] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(requests).toEqual(['/api/fetch', '/api/fetch', '/api/fetch']);
  });

  it('never repeats a publish unless told to', async () => {
    const plain = await start([[503], [200]]);
    await expect(plain.mq.publish('a', 'x')).rejects.toMatchObject({ status: 503, message: 'store unavailable' });
    expect(plain.requests).toHaveLength(1);
    const optedIn = await start([[503], [200]]);
    await optedIn.mq.publish('a', 'x', { retry: true });
    expect(optedIn.requests).toHaveLength(2);
  });

  it('gives up after its retries with the last answer, its retryAfter included', async () => {
    const { mq, requests } = await start([[429, { 'retry-after': '0' }]]);
    await expect(mq.ack({ subject: 'a', id: 'b' }, [1])).rejects.toMatchObject({ status: 429, retryAfter: 0, message: 'rate limit exceeded' });
    expect(requests).toHaveLength(4);
  });

  it('does not wait a Retry-After longer than maxDelayMs: the error is thrown at once', async () => {
    const { mq, requests } = await start([[429, { 'retry-after': '120' }]]);
    await expect(mq.fetch({ subject: 'a', id: 'b' })).rejects.toMatchObject({ status: 429, retryAfter: 120 });
    expect(requests).toHaveLength(1);
  });

  it('an anonymous subscribe is repeated after 429 only (after 503 a subscriber may exist already)', async () => {
    const busy = await start([[429], [200]]);
    await busy.mq.subscribe('a');
    expect(busy.requests).toHaveLength(2);
    const unavailable = await start([[503], [200]]);
    await expect(unavailable.mq.subscribe('a')).rejects.toMatchObject({ status: 503 });
    expect(unavailable.requests).toHaveLength(1);
  });

  it('an abort during the wait between tries rejects at once', async () => {
    const { mq } = await start([[503, { 'retry-after': '5' }]]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(mq.fetch({ subject: 'a', id: 'b' }, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
