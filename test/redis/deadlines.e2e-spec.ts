import { BrokerProcess } from '../support/broker-process.js';
import { eventually } from '../support/eventually.js';
import { RedisServer } from '../support/redis-server.js';
import { uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

const COMMAND_TIMEOUT_MS = 1000;
/** One deadline per request, whatever it calls: the command timeout, plus 200 ms (and a little for a loaded machine). */
const ANSWER_BOUND_MS = COMMAND_TIMEOUT_MS + 300;

afterEach(() => {
  BrokerProcess.killAll();
  RedisServer.killAll();
});

async function timed(request: () => Promise<{ status: number }>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const { status } = await request();
  return { status, ms: performance.now() - started };
}

describe('a request while Redis does not answer', () => {
  it.each([
    ['without rate limits', {}],
    ['with rate limits counted in Redis', { RATE__LIMIT_MAX: '100000' }],
  ])('answers 503 within redis.command-timeout-ms on every route, %s', async (_, settings: Record<string, string>) => {
    const redis = await RedisServer.start();
    const broker = await BrokerProcess.start(sharedStore({ REDIS_COMMAND__TIMEOUT__MS: String(COMMAND_TIMEOUT_MS), ...settings }, redis.url));
    const subject = uniqueSubject('stalled');
    const { body: plain } = await broker.post('/api/subscribe', { subject });
    const { body: acked } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    redis.pause();
    const requests: Record<string, () => Promise<{ status: number }>> = {
      subscribe: () => broker.post('/api/subscribe', { subject }),
      'subscribe acknowledged': () => broker.post('/api/subscribe', { subject, ackWaitMs: 5000 }),
      publish: () => broker.post('/api/publish', { subject, data: 'x' }),
      batch: () => broker.post('/api/publish/batch', { messages: [{ subject, data: 'x' }, { subject: `${subject}.other`, data: 'y' }] }),
      fetch: () => broker.post('/api/fetch', { subject, id: plain.id }),
      'fetch waiting': () => broker.post('/api/fetch', { subject, id: acked.id, waitMs: 5000 }),
      ack: () => broker.post('/api/ack', { subject, id: acked.id, seqs: [1] }),
      unsubscribe: () => broker.post('/api/unsubscribe', { subject, id: plain.id }),
      ready: () => fetch(`${broker.url}/ready`),
    };
    // Twice: the first requests find out that Redis stalled, the next ones already know.
    for (const round of [1, 2]) {
      const names = Object.keys(requests);
      const answers = await Promise.all(names.map((name) => timed(requests[name])));
      names.forEach((name, i) => {
        expect({ round, name, status: answers[i].status }).toEqual({ round, name, status: 503 });
        expect({ round, name, fast: answers[i].ms < ANSWER_BOUND_MS }).toEqual({ round, name, fast: true });
      });
    }
    redis.resume();
    await eventually(async () => (await fetch(`${broker.url}/ready`)).status === 204, 10_000);
    expect((await broker.post('/api/publish', { subject, data: 'again' })).status).toBe(200);
    await redis.close();
  });

  // A long-poll's last take, sent when its wait ends, queued behind calls Redis had stopped answering:
  // it waited out a whole timeout of its own, answering its waitMs plus the timeout after the stall began.
  it('answers a long-poll whose wait ends during the stall within the timeout of the stall, not of its own last call', async () => {
    const redis = await RedisServer.start();
    const broker = await BrokerProcess.start(sharedStore({ REDIS_COMMAND__TIMEOUT__MS: String(COMMAND_TIMEOUT_MS) }, redis.url));
    const subject = uniqueSubject('stalled-wait');
    const { body: plain } = await broker.post('/api/subscribe', { subject });
    const { body: acked } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    const started = performance.now();
    const waiting = [
      broker.post('/api/fetch', { subject, id: plain.id, waitMs: 700 }),
      broker.post('/api/fetch', { subject, id: acked.id, waitMs: 700 }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pausedAt = performance.now() - started;
    redis.pause();
    // Something that calls Redis right away, as any busy broker has.
    const publish = broker.post('/api/publish', { subject: `${subject}.busy`, data: 'x' });
    const answers = await Promise.all(waiting.map(async (answer) => ({ status: (await answer).status, ms: performance.now() - started })));
    expect((await publish).status).toBe(503);
    for (const { status, ms } of answers) expect({ status, withinTheStallsTimeout: ms - pausedAt < ANSWER_BOUND_MS }).toEqual({ status: 503, withinTheStallsTimeout: true });
    redis.resume();
    await redis.close();
  });
});
