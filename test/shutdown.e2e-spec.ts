import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { BrokerProcess } from './support/broker-process.js';

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

const postHead = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\n${headers}`;

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
