/**
 * The benchmark's yardstick: a bare Fastify server (no NestJS) doing the broker's work in the most
 * direct way. Same routes, same JSON-schema checks on the bodies, same response shapes and status
 * codes, the same limits; a message is stored once and referenced by each subscriber's queue.
 * Our broker's throughput is quoted as a ratio of this server's, measured in the same run.
 *
 *   node loadtest/bench/dist/baseline-server.js <port>
 */
import { randomUUID } from 'node:crypto';
import Denque from 'denque';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

const SUBJECT = { type: 'string', pattern: '^[^ \\t\\r\\n.]+(\\.[^ \\t\\r\\n.]+)*$' } as const;
const MAX_PENDING = Number(process.env.BASELINE_MAX_PENDING ?? 100_000_000);
const MAX_PENDING_BYTES = Number(process.env.BASELINE_MAX_PENDING_BYTES ?? 8 * 1024 ** 3);
const ASYNC_CAPACITY = Number(process.env.BASELINE_ASYNC_CAPACITY ?? 10_000);

interface Message {
  data: string;
  bytes: number;
  holders: number;
}

interface Subscriber {
  id: string;
  subject: string;
  pending: Denque<Message>;
  /** The parked long-poll fetch of this subscriber, if any. */
  wake?: () => void;
}

const subscribers = new Map<string, Subscriber>();
const subjects = new Map<string, Subscriber[]>();
let messagesHeld = 0;
let bytesHeld = 0;
let asyncInFlight = 0;

type Outcome = 200 | 404 | 429;

function publish(subject: string, data: string): Outcome {
  const receivers = subjects.get(subject);
  if (!receivers) return 404;
  const bytes = Buffer.byteLength(data, 'utf8');
  if (messagesHeld + 1 > MAX_PENDING || bytesHeld + bytes > MAX_PENDING_BYTES) return 429;
  const message: Message = { data, bytes, holders: receivers.length };
  for (const subscriber of receivers) {
    subscriber.pending.push(message);
    subscriber.wake?.();
  }
  messagesHeld += 1;
  bytesHeld += bytes;
  return 200;
}

function take(subscriber: Subscriber, max: number): string[] {
  const count = Math.min(max, subscriber.pending.length);
  const data = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const message = subscriber.pending.shift()!;
    data[i] = message.data;
    if (--message.holders === 0) {
      messagesHeld -= 1;
      bytesHeld -= message.bytes;
    }
  }
  return data;
}

/** Resolves when a message arrives for the subscriber or after `waitMs`. */
function waitForMessage(subscriber: Subscriber, waitMs: number, reply: FastifyReply): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (subscriber.wake === done) subscriber.wake = undefined;
      reply.raw.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    subscriber.wake?.();
    subscriber.wake = done;
    // The response's 'close' before it was sent means the client went away.
    reply.raw.once('close', done);
  });
}

const OK = { status: 'ok' };
const ERRORS: Record<Exclude<Outcome, 200>, { message: string }> = {
  404: { message: 'subscriber not found' },
  429: { message: 'broker overflow' },
};

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.setErrorHandler((error: { statusCode?: number; validation?: unknown }, _request, reply) => {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
  void reply.code(status).send({ message: error.validation ? "request's body is invalid" : status < 500 ? 'bad request' : 'server error' });
});

app.get('/ready', (_request, reply) => {
  void reply.code(204).send();
});

app.post<{ Body: { subject: string } }>(
  '/api/subscribe',
  { schema: { body: { type: 'object', required: ['subject'], properties: { subject: SUBJECT } } } },
  async (request) => {
    const subscriber: Subscriber = { id: randomUUID(), subject: request.body.subject, pending: new Denque() };
    subscribers.set(subscriber.id, subscriber);
    const siblings = subjects.get(subscriber.subject);
    if (siblings) siblings.push(subscriber);
    else subjects.set(subscriber.subject, [subscriber]);
    return { id: subscriber.id, subject: subscriber.subject };
  },
);

const PUBLISH_SCHEMA = {
  body: { type: 'object', required: ['subject', 'data'], properties: { subject: SUBJECT, data: { type: 'string' } } },
} as const;

app.post<{ Body: { subject: string; data: string } }>('/api/publish', { schema: PUBLISH_SCHEMA }, async (request, reply) => {
  const outcome = publish(request.body.subject, request.body.data);
  if (outcome === 200) return OK;
  return reply.code(outcome).send(ERRORS[outcome]);
});

app.post<{ Body: { subject: string; data: string } }>('/api/publish/async', { schema: PUBLISH_SCHEMA }, async (request, reply) => {
  if (asyncInFlight >= ASYNC_CAPACITY) return reply.code(429).send({ message: 'async queue full' });
  asyncInFlight += 1;
  const { subject, data } = request.body;
  setImmediate(() => {
    asyncInFlight -= 1;
    publish(subject, data);
  });
  return OK;
});

interface FetchBody {
  subject: string;
  id: string;
  max?: number;
  waitMs?: number;
}

app.post<{ Body: FetchBody }>(
  '/api/fetch',
  {
    schema: {
      body: {
        type: 'object',
        required: ['subject', 'id'],
        properties: {
          subject: SUBJECT,
          id: { type: 'string' },
          max: { type: 'integer', minimum: 1, maximum: 10_000 },
          waitMs: { type: 'integer', minimum: 0, maximum: 30_000 },
        },
      },
    },
  },
  async (request: FastifyRequest<{ Body: FetchBody }>, reply: FastifyReply) => {
    const { subject, id, max = Infinity, waitMs = 0 } = request.body;
    const subscriber = subscribers.get(id);
    if (!subscriber || subscriber.subject !== subject) return reply.code(404).send({ message: 'bad id' });
    if (subscriber.pending.isEmpty() && waitMs > 0) await waitForMessage(subscriber, waitMs, reply);
    const data = take(subscriber, max);
    return { subject, id, data, remaining: subscriber.pending.length };
  },
);

const port = Number(process.argv[2] ?? process.env.BASELINE_PORT ?? 8083);
await app.listen({ port, host: process.env.BASELINE_HOST ?? '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const subscriber of subscribers.values()) subscriber.wake?.();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
