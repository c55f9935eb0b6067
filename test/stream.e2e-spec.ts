import { StreamHub } from '../src/stream/stream-hub.js';
import { STREAM_BUFFER_CHARS } from '../src/stream/event-stream.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { BrokerProcess } from './support/broker-process.js';
import { eventually } from './support/eventually.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The stream's URL for these query parameters. */
function streamUrl(broker: TestBroker | BrokerProcess, params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([name, value]): [string, string] => [name, String(value)]));
  return `${broker.url}/api/stream?${query}`;
}

async function refusal(url: string): Promise<StreamRefused> {
  try {
    const client = await StreamClient.open(url);
    client.close();
  } catch (error) {
    if (error instanceof StreamRefused) return error;
    throw error;
  }
  throw new Error(`${url} was not refused`);
}

describe('event streams: GET /api/stream', () => {
  let broker: TestBroker;
  const clients: StreamClient[] = [];
  const open = async (params: Record<string, string | number>, options?: Parameters<typeof StreamClient.open>[1]) => {
    const client = await StreamClient.open(streamUrl(broker, params), options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    broker = await TestBroker.start({}, 'retention:\n  - subjects: "kept.>"\n    max-messages: 100\n');
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => broker.close());

  it('streams an existing subscriber as Server-Sent Events: open, then each message with its seq, as it is published', async () => {
    const subject = uniqueSubject('stream.sse');
    const id = await broker.subscribe(subject);
    await broker.publish(subject, 'before');
    const client = await open({ subject, id });
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers['cache-control']).toBe('no-cache');
    await client.waitForMessages(1);
    await broker.publish(subject, 'after {"json":"inside"}\nline');
    const [first, second] = await client.waitForMessages(2);
    expect(client.events[0]).toEqual({ event: 'open', data: { id, subject } });
    expect(first).toEqual({ subject, seq: expect.any(Number), data: 'before' });
    expect(second).toEqual({ subject, seq: first.seq + 1, data: 'after {"json":"inside"}\nline' });
    expect(client.events.filter((event) => event.event === 'message').map((event) => event.id)).toEqual([String(first.seq), String(second.seq)]);
    // Taken: a fetch finds nothing.
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual([]);
  });

  it('streams JSON lines for Accept: application/x-ndjson', async () => {
    const subject = uniqueSubject('stream.ndjson');
    const id = await broker.subscribe(subject);
    const client = await open({ subject, id }, { accept: 'application/x-ndjson' });
    expect(client.response.headers['content-type']).toBe('application/x-ndjson');
    await client.waitForEvent('open');
    await broker.publish(subject, 'one');
    await broker.publish(subject, 'two');
    const messages = await client.waitForMessages(2);
    expect(client.events[0]).toEqual({ event: 'open', data: { id, subject } });
    expect(messages.map(({ data }) => data)).toEqual(['one', 'two']);
    expect(messages[0]).toEqual({ subject, seq: expect.any(Number), data: 'one' });
  });

  it('without id, streams an ephemeral subscriber made for it, removed (its messages released) when the client goes', async () => {
    const subject = uniqueSubject('stream.ephemeral');
    const client = await open({ subject });
    const { data: opened } = await client.waitForEvent('open');
    expect(opened).toEqual({ id: expect.stringMatching(UUID), subject });
    expect(await broker.publish(subject, 'for the stream')).toMatchObject({ status: 200 });
    expect((await client.waitForMessages(1))[0].data).toBe('for the stream');

    client.close();
    await eventually(async () => (await broker.publish(subject, 'nobody')).status === 404);
    expect(await broker.fetchMessages(subject, opened.id)).toMatchObject({ status: 404, body: { message: 'bad id' } });
  });

  it('streams a wildcard subscriber with the subject each message was published to', async () => {
    const family = uniqueSubject('stream.pattern');
    const client = await open({ subject: `${family}.*` });
    await client.waitForEvent('open');
    expect(await broker.publish(`${family}.eu`, 'to eu')).toMatchObject({ status: 200 });
    expect(await broker.publish(`${family}.us`, 'to us')).toMatchObject({ status: 200 });
    const messages = await client.waitForMessages(2);
    expect(messages.map(({ subject, data }) => ({ subject, data }))).toEqual([
      { subject: `${family}.eu`, data: 'to eu' },
      { subject: `${family}.us`, data: 'to us' },
    ]);
  });

  it('starts an ephemeral subscriber of a retained subject where deliver says', async () => {
    const subject = uniqueSubject('kept.replay');
    for (const data of ['a', 'b', 'c']) await broker.publish(subject, data);
    const all = await open({ subject, deliver: 'all' });
    expect((await all.waitForMessages(3)).map(({ data }) => data)).toEqual(['a', 'b', 'c']);
    expect(all.messages[0]).toEqual({ subject, seq: expect.any(Number), data: 'a', time: expect.stringMatching(/Z$/) });
    const last = await open({ subject, deliver: 'last' });
    expect((await last.waitForMessages(1)).map(({ data }) => data)).toEqual(['c']);
    const from = await open({ subject, fromSeq: all.messages[1].seq });
    expect((await from.waitForMessages(2)).map(({ data }) => data)).toEqual(['b', 'c']);
  });

  it('is described in the OpenAPI document with both media types and its query parameters', async () => {
    const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
    const operation = document.paths['/api/stream'].get;
    expect(Object.keys(operation.responses['200'].content).sort()).toEqual(['application/x-ndjson', 'text/event-stream']);
    expect(operation.parameters.map((parameter: { name: string }) => parameter.name).sort()).toEqual(['access_token', 'deliver', 'fromSeq', 'fromTime', 'id', 'maxInFlight', 'subject']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '404', '429', '503']));
  });

  it('answers the JSON errors of fetch before the stream starts', async () => {
    const subject = uniqueSubject('stream.errors');
    const id = await broker.subscribe(subject);
    const unknown = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
    expect(await refusal(streamUrl(broker, { subject: 'a..b', id }))).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
    expect(await refusal(`${broker.url}/api/stream`)).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
    expect(await refusal(streamUrl(broker, { subject, id: unknown }))).toMatchObject({ status: 404, body: { message: 'bad id' } });
    expect(await refusal(streamUrl(broker, { subject, id: 'not-an-id' }))).toMatchObject({ status: 404, body: { message: 'bad id' } });
    for (const maxInFlight of ['0', '10001', '1.5', 'x']) {
      expect(await refusal(streamUrl(broker, { subject, id, maxInFlight }))).toMatchObject({
        status: 400,
        body: { message: "request's query is invalid", errors: ['maxInFlight: must be an integer from 1 to 10000'] },
      });
    }
    expect(await refusal(`${streamUrl(broker, { subject, id })}&id=${id}`)).toMatchObject({ status: 400, body: { errors: ['id: given more than once'] } });
    expect(await refusal(streamUrl(broker, { subject, id, nope: 1 }))).toMatchObject({ status: 400, body: { errors: ['nope: not a parameter of this route'] } });
    expect(await refusal(streamUrl(broker, { subject, deliver: 'all' }))).toMatchObject({ status: 400, body: { message: 'subject does not retain messages' } });
    expect(await refusal(streamUrl(broker, { subject: uniqueSubject('kept.bad'), deliver: 'sometimes' }))).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^deliver: /) } });
    const error = await refusal(streamUrl(broker, { subject, id: unknown }));
    expect(error.contentType).toMatch(/^application\/json/);
  });

  it('ends the stream with a close event when its subscriber is unsubscribed', async () => {
    const subject = uniqueSubject('stream.unsubscribed');
    const id = await broker.subscribe(subject);
    const sse = await open({ subject, id });
    const ndjson = await open({ subject, id }, { accept: 'application/x-ndjson' });
    await Promise.all([sse.waitForEvent('open'), ndjson.waitForEvent('open')]);
    expect((await broker.post('/api/unsubscribe', { subject, id })).status).toBe(200);
    expect((await sse.waitForEvent('close')).data).toEqual({ reason: 'unsubscribed' });
    expect((await ndjson.waitForEvent('close')).data).toEqual({ reason: 'unsubscribed' });
    await eventually(() => sse.ended && ndjson.ended);
  });

  it('holds at most maxInFlight unacked messages of an acknowledged subscriber; an ack makes room, a nack streams again', async () => {
    const subject = uniqueSubject('stream.ack');
    const { body: subscription } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    const id = subscription.id;
    await broker.post('/api/publish/batch', { messages: ['1', '2', '3', '4', '5'].map((data) => ({ subject, data })) });
    const client = await open({ subject, id, maxInFlight: 2 });
    const [first, second] = await client.waitForMessages(2);
    expect([first, second]).toEqual([
      { subject, seq: expect.any(Number), data: '1', deliveries: 1 },
      { subject, seq: expect.any(Number), data: '2', deliveries: 1 },
    ]);
    await sleep(300);
    expect(client.messages).toHaveLength(2);

    expect((await broker.post('/api/ack', { subject, id, seqs: [first.seq] })).body).toEqual({ acked: 1 });
    expect((await client.waitForMessages(3))[2]).toMatchObject({ data: '3', deliveries: 1 });
    expect((await broker.post('/api/nack', { subject, id, seqs: [second.seq] })).body).toEqual({ nacked: 1 });
    expect((await client.waitForMessages(4))[3]).toEqual({ subject, seq: second.seq, data: '2', deliveries: 2 });
    await sleep(200);
    expect(client.messages).toHaveLength(4);
  });

  it("never holds more than the subscriber's maxAckPending, whatever maxInFlight asks", async () => {
    const subject = uniqueSubject('stream.ack.bound');
    const { body: subscription } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, maxAckPending: 1 });
    await broker.post('/api/publish/batch', { messages: ['1', '2', '3'].map((data) => ({ subject, data })) });
    const client = await open({ subject, id: subscription.id, maxInFlight: 100 });
    await client.waitForMessages(1);
    await sleep(300);
    expect(client.messages.map(({ data }) => data)).toEqual(['1']);
  });

  it('shares a subscriber between its streams and fetches: each message to one of them', async () => {
    const subject = uniqueSubject('stream.shared');
    const id = await broker.subscribe(subject);
    const [a, b] = [await open({ subject, id }), await open({ subject, id })];
    await Promise.all([a.waitForEvent('open'), b.waitForEvent('open')]);
    const sent = Array.from({ length: 60 }, (_, i) => `m${i}`);
    for (const data of sent) await broker.publish(subject, data);
    const fetched: string[] = (await broker.fetchMessages(subject, id)).body.data;
    await eventually(() => a.messages.length + b.messages.length + fetched.length === sent.length);
    const received = [...a.messages.map(({ data }) => data), ...b.messages.map(({ data }) => data), ...fetched];
    expect(received.sort()).toEqual([...sent].sort());
    // Woken in turn, both streams got some.
    expect(a.messages.length).toBeGreaterThan(0);
    expect(b.messages.length).toBeGreaterThan(0);
  });

  it('leaves what a slow reader has not taken pending: at most about 64 KiB waits in the broker', async () => {
    const subject = uniqueSubject('stream.slow');
    await TestBroker.using({ BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(64 * 1024 * 1024), BROKER_MAX__PENDING__PER__SUBJECT: '100000' }, async (roomy) => {
      const id = await roomy.subscribe(subject);
      const client = await StreamClient.open(streamUrl(roomy, { subject, id }), { paused: true });
      clients.push(client);
      const data = 'x'.repeat(1000);
      const count = 30_000; // 30 MB: more than the kernel's buffers of a loopback connection hold
      for (let i = 0; i < count; i += 500) {
        const { status } = await roomy.post('/api/publish/batch', { messages: Array.from({ length: 500 }, (_, n) => ({ subject, data: `${i + n} ${data}` })) });
        expect(status).toBe(200);
      }
      const hub = roomy.get(StreamHub);
      await sleep(500);
      const buffered = (hub as unknown as { open: Set<{ response: { writableLength: number } }> }).open.values().next().value!.response.writableLength;
      expect(buffered).toBeLessThanOrEqual(STREAM_BUFFER_CHARS + 1100);
      // What the stream has not taken is still the subscriber's: a fetch takes it.
      let fetched = 0;
      for (;;) {
        const { body } = await roomy.fetchMessages(subject, id);
        fetched += body.data.length;
        if (body.remaining === 0) break;
      }
      expect(fetched).toBeGreaterThan(count / 2);
      client.resume();
      await eventually(() => client.messages.length + fetched === count, 10_000);
      const streamed = client.messages.map(({ data: text }) => Number(text.split(' ')[0]));
      expect(streamed).toEqual([...streamed].sort((x, y) => x - y));
    });
  }, 60_000);

  it('keeps a subscriber with an open stream active for idle expiry', async () => {
    await TestBroker.using({ BROKER_SUBSCRIBER__IDLE__TIMEOUT: '1' }, async (expiring) => {
      const subject = uniqueSubject('stream.active');
      const id = await expiring.subscribe(subject);
      const idle = await expiring.subscribe(uniqueSubject('stream.idle'));
      const client = await StreamClient.open(streamUrl(expiring, { subject, id }));
      clients.push(client);
      await sleep(2500);
      expect((await expiring.fetchMessages(subject, idle)).status).toBe(404);
      expect(await expiring.publish(subject, 'still here')).toMatchObject({ status: 200 });
      expect((await client.waitForMessages(1))[0].data).toBe('still here');
    });
  });

  it('sends a keep-alive every broker.stream-heartbeat seconds of quiet', async () => {
    await TestBroker.using({ BROKER_STREAM__HEARTBEAT: '1' }, async (beating) => {
      const subject = uniqueSubject('stream.keepalive');
      const id = await beating.subscribe(subject);
      const sse = await StreamClient.open(streamUrl(beating, { subject, id }));
      const ndjson = await StreamClient.open(streamUrl(beating, { subject, id }), { accept: 'application/x-ndjson' });
      clients.push(sse, ndjson);
      await sleep(2600);
      for (const client of [sse, ndjson]) {
        const beats = client.events.filter((event) => event.event === 'keepalive').length;
        expect(beats).toBeGreaterThanOrEqual(1);
        expect(beats).toBeLessThanOrEqual(3);
      }
    });
  });

  it('answers 429 `too many streams` past broker.max-streams, and counts streams and their messages in the metrics', async () => {
    await TestBroker.using({ BROKER_MAX__STREAMS: '2' }, async (small) => {
      const subject = uniqueSubject('stream.limit');
      const id = await small.subscribe(subject);
      const metrics = () => MetricsScrape.of(small.get(MetricsServer).url);
      const first = await StreamClient.open(streamUrl(small, { subject, id }));
      const second = await StreamClient.open(streamUrl(small, { subject }));
      clients.push(first, second);
      expect(await refusal(streamUrl(small, { subject, id }))).toMatchObject({ status: 429, body: { message: 'too many streams' } });
      expect((await metrics()).sum('gophermq_streams_open')).toBe(2);
      await small.publish(subject, 'counted');
      await Promise.all([first.waitForMessages(1), second.waitForMessages(1)]);
      expect((await metrics()).sum('gophermq_stream_messages_total')).toBe(2);

      first.close();
      await eventually(async () => (await metrics()).sum('gophermq_streams_open') === 1);
      const third = await StreamClient.open(streamUrl(small, { subject, id }));
      clients.push(third);
      await third.waitForEvent('open');
    });
  });
});

describe('event streams at shutdown', () => {
  afterEach(() => BrokerProcess.killAll());

  it('end with a close event within broker.shutdown-timeout, and the broker exits 0 with nothing cut', async () => {
    const broker = await BrokerProcess.start({ BROKER_SHUTDOWN__TIMEOUT: '5' });
    const subject = 'shutdown.streams';
    const { body: subscription } = await broker.post('/api/subscribe', { subject });
    const existing = await StreamClient.open(streamUrl(broker, { subject, id: subscription.id }));
    const ephemeral = await StreamClient.open(streamUrl(broker, { subject }), { accept: 'application/x-ndjson' });
    await Promise.all([existing.waitForEvent('open'), ephemeral.waitForEvent('open')]);
    const signalled = Date.now();
    broker.child.kill('SIGTERM');
    expect((await existing.waitForEvent('close')).data).toEqual({ reason: 'shutdown' });
    expect((await ephemeral.waitForEvent('close')).data).toEqual({ reason: 'shutdown' });
    expect(await broker.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(broker.logs.some((entry) => /shutdown timeout/.test(entry.msg))).toBe(false);
    await eventually(() => existing.ended && ephemeral.ended);
  });
});
