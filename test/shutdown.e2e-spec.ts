import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { MetricsScrape } from './metrics-scrape.js';
import { BrokerProcess } from './support/broker-process.js';
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
  it('delivers an answer it is writing at SIGTERM whole, answers 503 to new requests meanwhile, then exits 0', async () => {
    const broker = await BrokerProcess.start();
    const { body: subscription } = await broker.post('/api/subscribe', { subject: 'large.answer' });
    const messages = Array.from({ length: 8 }, (_, i) => String(i).padEnd(900_000, '.'));
    for (const data of messages) expect((await broker.post('/api/publish', { subject: 'large.answer', data })).status).toBe(200);

    // The answer, about 7 MB, is more than the kernel's buffers between the two ends hold: while
    // this client reads nothing, the broker is stuck in the middle of writing it.
    const fetchBody = JSON.stringify({ subject: 'large.answer', id: subscription.id });
    const reader = await rawClient(broker.port, postHead('/api/fetch', `content-length: ${fetchBody.length}\r\n\r\n${fetchBody}`));
    await once(reader, 'readable'); // the answer has begun
    broker.child.kill('SIGTERM');
    await broker.log('shutting down');

    expect((await fetch(`${broker.url}/ready`)).status).toBe(503);
    expect(await broker.post('/api/publish', { subject: 'large.answer', data: 'late' })).toEqual({
      status: 503,
      body: { message: 'broker is shutting down' },
    });
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

  it('exits 1 once broker.shutdown-timeout has passed when clients stall, saying what it cut', async () => {
    const broker = await BrokerProcess.start({ BROKER_REQUEST__TIMEOUT: '60', BROKER_SHUTDOWN__TIMEOUT: '1' });
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
