import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { FetchSource, GopherMQ, GopherMQError, NodeHttpTransport, type ConsumedMessage, type MessageSource, type TransportRequest } from '@gophermq/client';
import { eventually } from '../support/eventually.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('consume()', () => {
  let broker: TestBroker;
  let mq: GopherMQ;
  beforeAll(async () => {
    broker = await TestBroker.start();
    mq = new GopherMQ({ url: broker.url });
  });
  afterAll(async () => {
    mq.close();
    await broker.close();
  });

  async function publishAll(subject: string, data: string[]): Promise<void> {
    for (let i = 0; i < data.length; i += 1000) {
      const results = await mq.publishBatch(data.slice(i, i + 1000).map((text) => ({ subject, data: text })));
      expect(results.every((result) => result.status === 'ok')).toBe(true);
    }
  }

  it.each([
    ['at most once', {}],
    ['acknowledged', { ackWaitMs: 5000 }],
  ])('%s: handles every message, at most `concurrency` at once, and stops leaving nothing pending', async (_mode, settings) => {
    const subject = uniqueSubject();
    const seen: string[] = [];
    let running = 0;
    let most = 0;
    const consumer = mq.consume({ subject, name: 'workers', ...settings }, async (message) => {
      most = Math.max(most, ++running);
      await pause(2);
      seen.push(message.data);
      running--;
    }, { concurrency: 8 });
    await eventually(() => consumer.subscriber !== undefined);
    await publishAll(subject, range(500));
    await eventually(() => seen.length === 500, 10_000);
    await consumer.stop();
    expect(seen.sort()).toEqual(range(500).sort());
    expect(most).toBe(8);
    // Acknowledged: every one acked (none comes back); at most once: nothing left either.
    const after = await mq.fetch(consumer.subscriber!);
    expect(after.data).toEqual([]);
    expect(after.remaining).toBe(0);
  });

  it('a handler that throws: the message is nacked and comes back with a growing delay', async () => {
    const subject = uniqueSubject();
    const deliveries: Array<{ deliveries: number; at: number }> = [];
    const errors: unknown[] = [];
    const consumer = mq.consume({ subject, ackWaitMs: 30_000 }, (message) => {
      deliveries.push({ deliveries: message.deliveries!, at: Date.now() });
      if (message.deliveries! < 3) throw new Error(`fails on delivery ${message.deliveries}`);
    }, { onError: (error) => errors.push(error), nackDelayMs: (message) => 200 * message.deliveries! });
    await eventually(() => consumer.subscriber !== undefined);
    await mq.publish(subject, 'flaky');
    await eventually(() => deliveries.length === 3, 5000);
    await consumer.stop();
    expect(deliveries.map((d) => d.deliveries)).toEqual([1, 2, 3]);
    expect(deliveries[1].at - deliveries[0].at).toBeGreaterThanOrEqual(190);
    expect(deliveries[2].at - deliveries[1].at).toBeGreaterThanOrEqual(390);
    expect(errors.map((error) => (error as Error).message)).toEqual(['fails on delivery 1', 'fails on delivery 2']);
  });

  it('extends the deadline while a handler runs longer than ackWaitMs: no other consumer gets the message meanwhile', async () => {
    const subject = uniqueSubject();
    const deliveries: number[] = [];
    const slow = mq.consume({ subject, name: 'slow', ackWaitMs: 1000 }, async (message) => {
      deliveries.push(message.deliveries!);
      await pause(3000);
    });
    await eventually(() => slow.subscriber !== undefined);
    await mq.publish(subject, 'long job');
    await eventually(() => deliveries.length === 1);
    // A second consumer of the same name would get the message if its deadline passed.
    const other = await mq.subscribe(subject, { name: 'slow', ackWaitMs: 1000 });
    const meanwhile = await mq.fetch(other, { waitMs: 2800 });
    expect(meanwhile.data).toEqual([]);
    await eventually(() => slow.subscriber !== undefined && deliveries.length === 1, 100);
    await pause(500);
    await slow.stop();
    expect(deliveries).toEqual([1]);
    expect((await mq.fetch(other, { waitMs: 1500 })).data).toEqual([]); // acked, not coming back
  }, 20_000);

  it('re-subscribes a named subscriber after a 404, and goes on', async () => {
    const subject = uniqueSubject();
    const seen: string[] = [];
    const consumer = mq.consume({ subject, name: 'durable', ackWaitMs: 5000 }, (message) => void seen.push(message.data), { waitMs: 200 });
    await eventually(() => consumer.subscriber !== undefined);
    const first = consumer.subscriber!;
    await mq.unsubscribe(first);
    await eventually(() => consumer.subscriber !== undefined && consumer.subscriber.id !== first.id, 5000);
    await mq.publish(subject, 'after');
    await eventually(() => seen.includes('after'), 5000);
    await consumer.stop();
  });

  it('stop() aborts the waiting poll at once, and unsubscribes a subscriber it made without a name', async () => {
    const subject = uniqueSubject();
    const consumer = mq.consume({ subject }, () => {}, { waitMs: 20_000 });
    await eventually(() => consumer.subscriber !== undefined);
    await pause(100); // parked in its long-poll
    const started = Date.now();
    await consumer.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(mq.fetch(consumer.subscriber!)).rejects.toMatchObject({ status: 404 });
  });

  it('stop() lets running handlers finish within stopTimeoutMs, then nacks what it still holds; the signal stops it too', async () => {
    const subject = uniqueSubject();
    const finished: string[] = [];
    const aborted: string[] = [];
    const controller = new AbortController();
    const consumer = mq.consume(
      { subject, name: 'stopping', ackWaitMs: 60_000 },
      async (message: ConsumedMessage, { signal }) => {
        const ms = message.data === 'quick' ? 200 : 10_000;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            aborted.push(message.data);
            resolve();
          });
        });
        if (!signal.aborted) finished.push(message.data);
      },
      { concurrency: 2, prefetch: 10, stopTimeoutMs: 800, signal: controller.signal },
    );
    await eventually(() => consumer.subscriber !== undefined);
    await mq.publishBatch(['quick', 'slow', 'waiting1', 'waiting2'].map((data) => ({ subject, data })));
    await pause(100);
    const started = Date.now();
    controller.abort();
    await consumer.done;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(3000);
    expect(finished).toEqual(['quick']);
    expect(aborted).toEqual(['slow']);
    // What it held (the slow one, and the two never started) is available again at once, not after 60 s.
    const other = await mq.subscribe(subject, { name: 'stopping', ackWaitMs: 60_000 });
    const back = await mq.fetch(other);
    expect(back.data.sort()).toEqual(['slow', 'waiting1', 'waiting2']);
    expect(back.messages!.every((m) => m.deliveries === 2)).toBe(true);
  });

  it('acknowledged: the acks ride on the next fetch, one request per batch, and every message is acked once', async () => {
    const subject = uniqueSubject();
    const sent: Array<{ path: string; body: { ack?: number[]; seqs?: number[] } }> = [];
    const transport = new NodeHttpTransport(broker.url);
    const recording = new GopherMQ({
      url: broker.url,
      transport: {
        request: (request: TransportRequest) => {
          sent.push({ path: request.path, body: JSON.parse(request.body ?? '{}') });
          return transport.request(request);
        },
        close: () => transport.close(),
      },
    });
    const sub = await mq.subscribe(subject, { name: 'carried', ackWaitMs: 1000 });
    await publishAll(subject, range(3000));
    const delivered: number[] = [];
    const consumer = recording.consume(sub, (message) => void delivered.push(message.seq!), { concurrency: 20 });
    await eventually(() => delivered.length === 3000, 10_000);
    await consumer.stop();
    recording.close();

    const fetches = sent.filter((request) => request.path === '/api/fetch');
    const ackRequests = sent.filter((request) => request.path === '/api/ack');
    const carried = fetches.flatMap((request) => request.body.ack ?? []);
    const acked = [...carried, ...ackRequests.flatMap((request) => request.body.seqs ?? [])];
    // Each delivered once and acked (a poll aborted at stop gives its acks to /api/ack again: they may not have arrived).
    expect(new Set(delivered).size).toBe(3000);
    expect([...new Set(acked)].sort((a, b) => a - b)).toEqual(delivered.sort((a, b) => a - b));
    // The backlog's batches carried the acks of the ones before; only the last ones needed /api/ack.
    expect(carried.length).toBeGreaterThanOrEqual(2000);
    // Every poll asked for the lean answer (seqs beside data, each message's data once).
    expect(fetches.every((request) => (request.body as { lean?: boolean }).lean === true)).toBe(true);
    expect(ackRequests.length).toBeLessThanOrEqual(3);
    await pause(1200); // past ackWaitMs: anything not acked would come back
    expect((await mq.fetch(sub)).data).toEqual([]);
  });

  it.each([
    ['lean answers', (body: Record<string, unknown>) => body],
    ['a broker that ignores `lean` (answers `messages`)', ({ lean: _lean, ...body }: Record<string, unknown>) => body],
  ])('acknowledged, %s: the handler gets each message with its seq and delivery count', async (_case, sentBody) => {
    const subject = uniqueSubject();
    const transport = new NodeHttpTransport(broker.url);
    const answers: Array<Record<string, unknown>> = [];
    const client = new GopherMQ({
      url: broker.url,
      transport: {
        request: async (request: TransportRequest) => {
          if (request.path !== '/api/fetch') return transport.request(request);
          const response = await transport.request({ ...request, body: JSON.stringify(sentBody(JSON.parse(request.body!))) });
          answers.push(JSON.parse(response.body));
          return response;
        },
        close: () => transport.close(),
      },
    });
    const sub = await mq.subscribe(subject, { ackWaitMs: 60_000 });
    await publishAll(subject, range(50));
    const got: ConsumedMessage[] = [];
    const consumer = client.consume(sub, (message) => void got.push(message), { concurrency: 5, prefetch: 10 });
    await eventually(() => got.length === 50, 10_000);
    await consumer.stop();
    client.close();
    const fromMessages = answers.some((answer) => 'messages' in answer);
    expect([fromMessages, answers.some((answer) => 'seqs' in answer)]).toEqual(_case === 'lean answers' ? [false, true] : [true, false]);
    expect(got.map((message) => message.data).sort()).toEqual(range(50).sort());
    expect(got.every((message) => message.subject === subject && Number.isInteger(message.seq) && message.deliveries === 1)).toBe(true);
    expect(new Set(got.map((message) => message.seq)).size).toBe(50);
    expect((await mq.fetch(sub)).data).toEqual([]); // every one acked
  });

  it('acknowledged: a poll that carried acks and failed sends them again, and a long-poll does not hold them back', async () => {
    const subject = uniqueSubject();
    const fetches = new FetchSource(mq, 20_000);
    let failed = 0;
    const errors: unknown[] = [];
    // The broker's own fetch, failing once (a 503 as a draining broker answers) when it carries acks.
    const source: MessageSource = {
      carriesAcks: true,
      async next(subscription, max, signal, wait, ack) {
        if (ack !== undefined && failed++ === 0) throw new GopherMQError(503, 'broker is shutting down', { retryAfter: 1 });
        return fetches.next(subscription, max, signal, wait, ack);
      },
    };
    const sub = await mq.subscribe(subject, { name: 'retried', ackWaitMs: 1000 });
    await publishAll(subject, range(200));
    const seen: string[] = [];
    // A backlog in small batches: the polls after the first carry acks.
    const consumer = mq.consume(sub, (message) => void seen.push(message.data), { concurrency: 5, prefetch: 20, source, onError: (error) => errors.push(error) });
    await eventually(() => seen.length === 200, 10_000);
    // The backlog is drained: one poll waits at the broker for 20 s, and the last acks went without it.
    await pause(1200);
    expect((await mq.fetch(sub)).data).toEqual([]);
    await consumer.stop();
    expect(failed).toBeGreaterThan(1);
    expect(errors).toHaveLength(1);
    // None came back after ackWaitMs: the acks of the failed poll went again.
    expect(seen.sort()).toEqual(range(200).sort());
  });

  it('acknowledged: a broker that ignores acks on the fetch (no `acked` in its answer): they go in ack requests, and no more ride', async () => {
    const subject = uniqueSubject();
    const fetches = new FetchSource(mq, 20_000);
    const given: number[][] = [];
    // What a broker from before acks on fetch answers: the messages, no `acked`, nothing acked.
    const source: MessageSource = {
      carriesAcks: true,
      async next(subscription, max, signal, wait, ack) {
        if (ack !== undefined) given.push([...ack]);
        const { messages, more } = await fetches.next(subscription, max, signal, wait);
        return { messages, more };
      },
    };
    const sub = await mq.subscribe(subject, { name: 'older', ackWaitMs: 1000 });
    await publishAll(subject, range(200));
    const seen: string[] = [];
    const consumer = mq.consume(sub, (message) => void seen.push(message.data), { concurrency: 5, prefetch: 20, source });
    await eventually(() => seen.length === 200, 10_000);
    await pause(1200); // past ackWaitMs: anything not acked would come back
    await consumer.stop();
    expect(seen.sort()).toEqual(range(200).sort());
    expect((await mq.fetch(sub)).data).toEqual([]);
    expect(given).toHaveLength(1); // the first poll with acks, then none
  });

  it('limit: handles that many and stops, fetching no more', async () => {
    const subject = uniqueSubject();
    const sub = await mq.subscribe(subject);
    await publishAll(subject, range(10));
    const seen: string[] = [];
    const consumer = mq.consume(sub, (message) => void seen.push(message.data), { limit: 4, concurrency: 10 });
    await consumer.done;
    expect(seen).toEqual(range(4));
    expect((await mq.fetch(sub)).data).toEqual(range(10).slice(4));
  });
});

describe('consume() in a process killed mid-batch', () => {
  it.each([
    // Every message in the first poll: the acks go in ack requests.
    ['acks in requests of their own', '{ concurrency: 10 }'],
    // A backlog in batches of 8: each poll carries the acks of the messages handled before it.
    ['acks carried on the next fetch', '{ concurrency: 10, prefetch: 20 }'],
  ])('loses no acknowledged message (%s): what it had not acked is delivered again to the next consumer', async (_mode, options) => {
    const broker = await TestBroker.start();
    const mq = new GopherMQ({ url: broker.url });
    const folder = mkdtempSync(join(tmpdir(), 'gophermq-consumer-'));
    try {
      const subject = uniqueSubject();
      const settings = { subject, name: 'survivor', ackWaitMs: 1000 };
      await mq.subscribe(subject, settings);
      const all = range(300);
      for (let i = 0; i < all.length; i += 100) await mq.publishBatch(all.slice(i, i + 100).map((data) => ({ subject, data })));

      // A worker in a process of its own, printing each message it has handled; killed with SIGKILL.
      const script = join(folder, 'worker.mjs');
      const client = pathToFileURL(join(process.cwd(), 'client', 'dist', 'node.js')).href;
      writeFileSync(
        script,
        `import { GopherMQ } from ${JSON.stringify(client)};
const mq = new GopherMQ({ url: ${JSON.stringify(broker.url)} });
mq.consume(${JSON.stringify(settings)}, async (message) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  process.stdout.write(message.data + '\\n');
}, ${options});
`,
      );
      const worker = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const handledByKilled: string[] = [];
      createInterface({ input: worker.stdout! }).on('line', (line) => handledByKilled.push(line));
      await eventually(() => handledByKilled.length >= 60, 15_000);
      worker.kill('SIGKILL');
      await new Promise((resolve) => worker.on('exit', resolve));
      expect(handledByKilled.length).toBeLessThan(all.length);

      const handledAfter: string[] = [];
      const successor = mq.consume(settings, (message) => void handledAfter.push(message.data), { concurrency: 10, waitMs: 500 });
      await eventually(() => new Set([...handledByKilled, ...handledAfter]).size === all.length, 15_000);
      await pause(1500); // past ackWaitMs: anything not acked would come back
      await successor.stop();
      expect(new Set([...handledByKilled, ...handledAfter]).size).toBe(all.length);
      const left = await mq.fetch(await mq.subscribe(subject, settings));
      expect([left.data, left.remaining]).toEqual([[], 0]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      mq.close();
      await broker.close();
    }
  }, 40_000);
});
