import { FetchTransport, GopherMQ, GopherMQError, type StreamedMessage } from '@gophermq/client';
import { eventually } from '../support/eventually.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';

const RETAINED = 'retention:\n  - subjects: "kept.>"\n    max-messages: 100\n';

/** Reads `count` messages from an async iterator, then leaves the loop (which closes the stream). */
async function take(stream: AsyncIterable<StreamedMessage>, count: number): Promise<StreamedMessage[]> {
  const messages: StreamedMessage[] = [];
  if (count === 0) return messages;
  for await (const message of stream) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

// stream() reads GET /api/stream as JSON lines, over both transports behind one API.
describe.each([
  ['node:http', (url: string) => new GopherMQ({ url })],
  ['fetch()', (url: string) => new GopherMQ({ url, transport: new FetchTransport(url) })],
])('GopherMQ client stream() over %s', (_name, clientFor) => {
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

  it('at most once, an ephemeral subscriber: messages as they are published, in order; leaving the loop removes the subscriber', async () => {
    const subject = uniqueSubject();
    const stream = mq.stream(subject);
    const opened = await stream.opened;
    expect(opened).toEqual({ id: expect.any(String), subject });
    expect(stream.id).toBe(opened.id);
    const reading = take(stream, 3);
    await mq.publishBatch(['one', 'two'].map((data) => ({ subject, data })));
    await mq.publish(subject, 'three');
    const messages = await reading;
    expect(messages.map(({ subject: s, data }) => ({ subject: s, data }))).toEqual(['one', 'two', 'three'].map((data) => ({ subject, data })));
    expect(messages.every((message) => typeof message.seq === 'number' && message.deliveries === undefined)).toBe(true);
    expect(stream.endReason).toBe('closed');
    // The broker removes a stream's ephemeral subscriber when its client goes.
    await eventually(async () => (await broker.publish(subject, 'after')).status === 404);
  });

  it('acknowledged, an existing subscriber by id: messages carry seq and deliveries; maxInFlight holds the rest until acked', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject, { ackWaitMs: 30_000 });
    await mq.publishBatch(['a', 'b', 'c', 'd', 'e'].map((data) => ({ subject, data })));
    const stream = mq.stream(subject, { id: sub.id, maxInFlight: 2 });
    expect(await stream.opened).toEqual({ id: sub.id, subject });
    const firstTwo = await stream.read(10);
    expect(firstTwo.map((m) => [m.data, m.deliveries])).toEqual([['a', 1], ['b', 1]]);
    // Two in flight: the broker writes nothing more until one is acked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await mq.admin.subject(subject)).subscribers[0]).toMatchObject({ pending: 3, inFlight: 2 });
    await mq.ack(sub, firstTwo.map((m) => m.seq));
    // Each ack makes room for one more; 'c' stays in flight, unacked.
    const rest: StreamedMessage[] = [];
    while (rest.length < 3) {
      const read = await stream.read(10);
      rest.push(...read);
      const done = read.filter((m) => m.data !== 'c').map((m) => m.seq);
      if (done.length > 0) await mq.ack(sub, done);
    }
    expect(rest.map((m) => m.data)).toEqual(['c', 'd', 'e']);
    // A nacked message comes back on the same stream, its delivery counted.
    await mq.nack(sub, [rest[0].seq]);
    const [again] = await stream.read(1);
    expect(again).toMatchObject({ subject, seq: rest[0].seq, data: 'c', deliveries: 2 });
    stream.close();
    expect(await stream.read(1)).toEqual([]);
    // The subscriber was not the stream's: it stays.
    await expect(mq.fetch(sub)).resolves.toMatchObject({ data: [] });
  });

  it('a retained subject: an ephemeral stream starts where deliver says, with each message\'s time', async () => {
    const subject = `kept.${uniqueSubject()}`;
    await mq.publishBatch(['first', 'second'].map((data) => ({ subject, data })));
    const all = await take(mq.stream(subject, { deliver: 'all' }), 2);
    expect(all.map((m) => [m.data, typeof m.time])).toEqual([['first', 'string'], ['second', 'string']]);
    const last = await take(mq.stream(subject, { deliver: 'last' }), 1);
    expect(last.map((m) => m.data)).toEqual(['second']);
    const from = await take(mq.stream(subject, { fromSeq: all[1].seq }), 1);
    expect(from.map((m) => m.data)).toEqual(['second']);
  });

  it('the signal aborts a loop that waits for a message: it rejects with the signal\'s reason at once, and the connection closes', async () => {
    const subject = uniqueSubject();
    const controller = new AbortController();
    const stream = mq.stream(subject, { signal: controller.signal });
    await stream.opened;
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await expect(take(stream, 1)).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(async () => (await broker.publish(subject, 'x')).status === 404);
  });

  it('close() from elsewhere ends a waiting loop without an error', async () => {
    const subject = uniqueSubject();
    const stream = mq.stream(subject);
    await stream.opened;
    setTimeout(() => stream.close(), 100);
    expect(await take(stream, 5)).toEqual([]);
    expect(stream.endReason).toBe('closed');
  });

  it('ends with the broker\'s close event when its subscriber is unsubscribed: endReason unsubscribed', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject);
    const stream = mq.stream(subject, { id: sub.id });
    await stream.opened;
    const reading = take(stream, 10);
    await mq.publish(subject, 'only');
    await eventually(async () => (await mq.admin.subject(subject)).subscribers[0].pending === 0);
    await mq.unsubscribe(sub);
    expect((await reading).map((m) => m.data)).toEqual(['only']);
    expect(stream.endReason).toBe('unsubscribed');
  });

  it('a refusal before the stream starts rejects opened (and the loop) with the broker\'s GopherMQError', async () => {
    const badId = mq.stream(uniqueSubject(), { id: '00000000-0000-4000-8000-000000000000' });
    await expect(badId.opened).rejects.toMatchObject({ name: 'GopherMQError', status: 404, message: 'bad id' });
    const badSubject = mq.stream('a..b');
    await expect(take(badSubject, 1)).rejects.toBeInstanceOf(GopherMQError);
    await expect(badSubject.opened).rejects.toMatchObject({ status: 400, message: 'invalid subject' });
    const notRetained = mq.stream(uniqueSubject(), { deliver: 'all' });
    await expect(notRetained.opened).rejects.toMatchObject({ status: 400, message: 'subject does not retain messages' });
  });

  it('a stream is iterated once', async () => {
    const stream = mq.stream(uniqueSubject());
    await stream.opened;
    stream.close();
    await take(stream, 1);
    await expect(take(stream, 1)).rejects.toThrow('a stream is iterated once');
  });
});
