import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { MetricsScrape } from './metrics-scrape.js';
import { BrokerProcess } from './support/broker-process.js';
import { KeepAlivePublisher, type PublisherClient } from './support/keep-alive-publisher.js';
import { itOnMemory } from './support/test-store.js';

/** Opens a raw connection and sends `head` (and whatever follows it) as it is. */
async function rawClient(port: number, head: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {}); // a write after the broker closed the connection; the test looks at what was read
  await once(socket, 'connect');
  socket.write(head);
  return socket;
}

/** Everything the socket receives until the broker closes it. */
async function readToEnd(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.resume();
  await once(socket, 'close');
  return Buffer.concat(chunks).toString();
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether connecting to the port is refused (once the drain has stopped accepting). */
async function refusesConnections(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const postHead = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\n${headers}`;

afterEach(() => BrokerProcess.killAll());

describe('slow clients', () => {
  it('closes connections that trickle their headers or stall mid-body after broker.request-timeout; a waiting fetch is not cut', async () => {
    const broker = await BrokerProcess.start({ BROKER_REQUEST__TIMEOUT: '1' });
    const { body: subscription } = await broker.post('/api/subscribe', { subject: 'slow.clients' });
    const waiting = broker.post('/api/fetch', { subject: 'slow.clients', id: subscription.id, waitMs: 2500 });

    const trickler = await rawClient(broker.port, postHead('/api/publish', ''));
    const trickle = setInterval(() => trickler.write('x-slow: 1\r\n'), 200);
    const staller = await rawClient(broker.port, postHead('/api/publish', 'content-length: 100\r\n\r\n{"subject":'));
    try {
      // One second, checked every second, and a margin for a busy machine.
      const [trickled, stalled] = await within(4000, 'slow clients closed', Promise.all([readToEnd(trickler), readToEnd(staller)]));
      expect(trickled).toMatch(/^HTTP\/1.1 408 /);
      expect(stalled).toMatch(/^HTTP\/1.1 408 /);
    } finally {
      clearInterval(trickle);
      trickler.destroy();
      staller.destroy();
    }
    expect(await waiting).toEqual({ status: 200, body: { subject: 'slow.clients', id: subscription.id, data: [], remaining: 0 } });
    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
  });
});

describe('shutdown', () => {
  it('delivers an answer it is writing at SIGTERM whole, answers 503 to requests on open connections and refuses new ones meanwhile, then exits 0', async () => {
    const broker = await BrokerProcess.start();
    const { body: subscription } = await broker.post('/api/subscribe', { subject: 'large.answer' });
    const messages = Array.from({ length: 8 }, (_, i) => String(i).padEnd(900_000, '.'));
    for (const data of messages) expect((await broker.post('/api/publish', { subject: 'large.answer', data })).status).toBe(200);

    // The answer, about 7 MB, is more than the kernel's buffers between the two ends hold: while
    // this client reads nothing, the broker is stuck in the middle of writing it.
    const fetchBody = JSON.stringify({ subject: 'large.answer', id: subscription.id });
    const reader = await rawClient(broker.port, postHead('/api/fetch', `content-length: ${fetchBody.length}\r\n\r\n${fetchBody}`));
    await once(reader, 'readable'); // the answer has begun
    // Two keep-alive connections, each answered once before the signal.
    const [readiness, publisher] = await Promise.all([0, 1].map(() => rawClient(broker.port, 'GET /ready HTTP/1.1\r\nhost: gophermq\r\n\r\n')));
    await Promise.all([once(readiness, 'data'), once(publisher, 'data')]);
    broker.child.kill('SIGTERM');
    await eventually(() => refusesConnections(broker.port), 'new connections refused');

    readiness.write('GET /ready HTTP/1.1\r\nhost: gophermq\r\n\r\n');
    const late = JSON.stringify({ subject: 'large.answer', data: 'late' });
    publisher.write(postHead('/api/publish', `content-length: ${late.length}\r\n\r\n${late}`));
    for (const answer of await Promise.all([readToEnd(readiness), readToEnd(publisher)])) {
      const last = answer.slice(answer.lastIndexOf('HTTP/1.1 ')); // after the answer before the signal
      expect(last).toMatch(/^HTTP\/1.1 503 [^]*\r\nconnection: close\r\n[^]*\r\n\r\n\{"message":"broker is shutting down"\}$/i);
    }
    expect(broker.child.exitCode).toBeNull();

    const answer = await readToEnd(reader);
    const [head, body] = [answer.slice(0, answer.indexOf('\r\n\r\n')), answer.slice(answer.indexOf('\r\n\r\n') + 4)];
    expect(head).toMatch(/^HTTP\/1.1 200 /);
    expect(JSON.parse(/^transfer-encoding: chunked$/im.test(head) ? unchunked(body) : body)).toEqual({ subject: 'large.answer', id: subscription.id, data: messages, remaining: 0 });
    expect(await broker.exited).toBe(0);
  });

  // On Redis nothing is discarded: test/redis/durability.e2e-spec.ts restarts a broker on the same store.
  itOnMemory('logs how many held messages the in-memory store discards', async () => {
    const broker = await BrokerProcess.start();
    await broker.post('/api/subscribe', { subject: 'left.behind' });
    for (const data of ['one', 'two', 'three']) await broker.post('/api/publish', { subject: 'left.behind', data });
    broker.child.kill('SIGTERM');
    expect(await broker.exited).toBe(0);
    expect(broker.logs.find((entry) => 'messagesHeld' in entry)).toMatchObject({ level: 40, messagesHeld: 3, bytesHeld: 11 });
  });

  it('is not held by a connection that never sent a request (a browser preconnects one): it closes it and exits 0', async () => {
    const broker = await BrokerProcess.start({ BROKER_SHUTDOWN__TIMEOUT: '10', BROKER_DRAIN__IDLE__GRACE: '0' });
    const preconnected = await rawClient(broker.port, '');
    try {
      const closed = readToEnd(preconnected);
      const signalled = Date.now();
      broker.child.kill('SIGTERM');
      expect(await within(5000, 'exit', broker.exited)).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(await within(1000, 'the idle connection closed', closed)).toBe('');
    } finally {
      preconnected.destroy();
      if (isRunning(broker.child.pid!)) broker.child.kill('SIGKILL');
    }
  });

  it('exits 1 once broker.shutdown-timeout has passed when clients stall, saying what it cut', async () => {
    const broker = await BrokerProcess.start({ BROKER_REQUEST__TIMEOUT: '60', BROKER_SHUTDOWN__TIMEOUT: '1', BROKER_DRAIN__IDLE__GRACE: '0' });
    // `expect: 100-continue` makes the broker say when it has the request, before the body.
    const upload = await rawClient(broker.port, postHead('/api/publish', 'content-length: 100\r\nexpect: 100-continue\r\n\r\n'));
    await once(upload, 'data');
    upload.write('{"subject":');
    const trickler = await rawClient(broker.port, postHead('/api/publish', 'x-slow: 1\r\n'));
    try {
      const signalled = Date.now();
      broker.child.kill('SIGTERM');
      expect(await within(4000, 'exit', broker.exited)).toBe(1);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(1000);
      expect(await broker.log('shutdown timeout reached')).toMatchObject({ level: 40, connections: 2, requests: 1 });
    } finally {
      upload.destroy();
      trickler.destroy();
      if (isRunning(broker.child.pid!)) broker.child.kill('SIGKILL');
    }
  });
});

describe('broker.drain-delay', () => {
  it('answers /ready 503 at once but serves every other request until the delay has passed, then drains', async () => {
    const broker = await BrokerProcess.start({ BROKER_DRAIN__DELAY: '2' });
    const subject = 'drain.delay';
    const { body: subscription } = await broker.post('/api/subscribe', { subject });
    const signalled = Date.now();
    broker.child.kill('SIGTERM');
    await broker.log('not ready');
    const ready = await fetch(`${broker.url}/ready`);
    expect([ready.status, ready.headers.get('connection'), await ready.json()]).toEqual([503, 'close', { message: 'broker is shutting down' }]);
    expect((await broker.post('/api/publish', { subject, data: 'during the delay' })).status).toBe(200);
    expect((await broker.post('/api/fetch', { subject, id: subscription.id })).body.data).toEqual(['during the delay']);
    // A long-poll still waits for a message instead of answering at once, as during the drain.
    const waited = Date.now();
    expect((await broker.post('/api/fetch', { subject, id: subscription.id, waitMs: 300 })).body.data).toEqual([]);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(250);
    await eventually(() => refusesConnections(broker.port), 'new connections refused', 5000);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(2000);
    expect(await broker.exited).toBe(0);
  });
});

describe('the drain, with keep-alive publishers', () => {
  const clients: PublisherClient[] = ['fetch', 'fetch', 'http', 'http'];

  it('answers every request that reaches it, 200 or 503 with connection: close, closing a connection only after such an answer', async () => {
    // Room for what four publishers send as fast as they can.
    const broker = await BrokerProcess.start({ BROKER_MAX__PENDING: '10000000', BROKER_MAX__PENDING__PER__SUBJECT: '10000000' });
    const subject = 'drain.publishers';
    await broker.post('/api/subscribe', { subject });
    const publishers = clients.map((client) => new KeepAlivePublisher(client, broker.url, subject, { untilRefused: true }));
    try {
      await eventually(() => publishers.every((publisher) => publisher.answered >= 20), 'every publisher under way');
      broker.child.kill('SIGTERM');
      await within(10_000, 'every publisher refused', Promise.all(publishers.map((publisher) => publisher.done)));
      expect(await broker.exited).toBe(0);
    } finally {
      await Promise.all(publishers.map((publisher) => publisher.stop()));
    }
    for (const [n, publisher] of publishers.entries()) {
      const who = `${clients[n]} publisher ${n}`;
      // Once the port is closed, connecting is refused: that ends the publisher, and is no error.
      expect([who, publisher.errors]).toEqual([who, ['ECONNREFUSED']]);
      const answers = publisher.outcomes.filter((outcome) => 'status' in outcome);
      expect([who, answers.filter(({ status }) => status !== 200 && status !== 503)]).toEqual([who, []]);
      expect([who, answers.filter(({ status, connection }) => status === 503 && connection !== 'close')]).toEqual([who, []]);
      expect([who, answers.at(-1)!.connection]).toEqual([who, 'close']);
    }
  });
});

describe('a client that pipelines requests and leaves', () => {
  async function waitingFetches(broker: BrokerProcess): Promise<number> {
    const { msg } = await broker.log('metrics on ');
    return (await MetricsScrape.of(msg.slice('metrics on '.length))).value('gophermq_waiting_fetches');
  }

  it('leaves no waiting fetch behind to take messages, and shutdown does not wait for its answers', async () => {
    const broker = await BrokerProcess.start();
    const { body: subscription } = await broker.post('/api/subscribe', { subject: 'pipelined.gone' });
    const fetchBody = JSON.stringify({ subject: 'pipelined.gone', id: subscription.id, waitMs: 20_000 });
    const client = await rawClient(broker.port, postHead('/api/fetch', `content-length: ${fetchBody.length}\r\n\r\n${fetchBody}`).repeat(4));
    await eventually(async () => (await waitingFetches(broker)) === 4, 'four fetches waiting');
    client.destroy();
    await eventually(async () => (await waitingFetches(broker)) === 0, 'no fetch waiting once the client left', 2000);

    for (const data of ['m1', 'm2', 'm3']) await broker.post('/api/publish', { subject: 'pipelined.gone', data });
    expect((await broker.post('/api/fetch', { subject: 'pipelined.gone', id: subscription.id })).body.data).toEqual(['m1', 'm2', 'm3']);
    broker.child.kill('SIGTERM');
    expect(await within(4000, 'exit', broker.exited)).toBe(0); // broker.shutdown-timeout is 10 s
  });

  it('does not count the answers it queued for a connection it closed as still in flight at shutdown', async () => {
    const broker = await BrokerProcess.start();
    // Past 32 unanswered requests on one connection the broker closes it, with answers queued.
    const client = await rawClient(broker.port, 'GET /ready HTTP/1.1\r\nhost: gophermq\r\n\r\n'.repeat(40));
    client.pause();
    await within(4000, 'the broker closed the connection', once(client, 'close'));
    broker.child.kill('SIGTERM');
    expect(await within(4000, 'exit', broker.exited)).toBe(0);
  });
});

describe('`npm start`', () => {
  // --ignore-scripts skips the prestart build (`npm test` has built dist/) but runs the start script.
  const npmStart = { command: ['npm', 'start', '--ignore-scripts'], cwd: process.cwd(), detached: true };

  it.each([
    ['SIGTERM to npm', (npmPid: number) => process.kill(npmPid, 'SIGTERM')],
    ['Ctrl-C (SIGINT to the process group)', (npmPid: number) => process.kill(-npmPid, 'SIGINT')],
  ])('stops the broker cleanly on %s', async (_, signal) => {
    const broker = await BrokerProcess.start({}, npmStart);
    try {
      signal(broker.child.pid!);
      await within(5000, 'the broker stopped', broker.log('stopped'));
      await eventually(() => !isRunning(broker.pid), 'the broker process gone');
      await expect(fetch(`${broker.url}/ready`)).rejects.toThrow();
      await within(5000, 'npm exited', broker.exited);
    } finally {
      if (isRunning(broker.pid)) process.kill(broker.pid, 'SIGKILL');
    }
  });
});

/** The payload of an HTTP/1.1 chunked body: large fetch answers are streamed. */
function unchunked(body: string): string {
  let payload = '';
  for (let at = 0; ; ) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, lineEnd), 16);
    if (!size) return payload;
    payload += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
