import { MetricsScrape } from '../metrics-scrape.js';
import { BrokerProcess } from '../support/broker-process.js';
import { eventually } from '../support/eventually.js';
import { RedisServer } from '../support/redis-server.js';
import { uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

/** redis.command-timeout-ms of these tests: short, so a request that hangs on Redis stands out. */
const COMMAND_TIMEOUT_MS = 300;
/** How long an answer may take with Redis down: the command timeout, plus room for a loaded machine. */
const ANSWER_BOUND_MS = COMMAND_TIMEOUT_MS + 1200;

afterEach(() => {
  BrokerProcess.killAll();
  RedisServer.killAll();
});

/** A request and how long its answer took. */
async function timed(request: Promise<{ status: number; body: any }>) {
  const started = Date.now();
  const answer = await request;
  return { ...answer, ms: Date.now() - started };
}

describe('a broker whose Redis goes down', () => {
  it('answers 503 store unavailable in bounded time, stays up, and serves again once Redis is back', async () => {
    const redis = await RedisServer.start({ appendOnly: true });
    try {
      const broker = await BrokerProcess.start(sharedStore({ REDIS_COMMAND__TIMEOUT__MS: String(COMMAND_TIMEOUT_MS) }, redis.url));
      const metricsUrl = (await broker.log('metrics on ')).msg.slice('metrics on '.length);
      const subject = uniqueSubject('outage');
      const { body: subscription } = await broker.post('/api/subscribe', { subject });
      expect((await broker.post('/api/publish', { subject, data: 'before' })).status).toBe(200);
      const errorsBefore = (await MetricsScrape.of(metricsUrl)).sum('gophermq_store_errors_total');

      await redis.stop();
      // Twice: at once, and again while the client is reconnecting.
      for (const round of ['first', 'second']) {
        const answers = await Promise.all([
          timed(broker.post('/api/subscribe', { subject })),
          timed(broker.post('/api/publish', { subject, data: `during, ${round}` })),
          timed(broker.post('/api/fetch', { subject, id: subscription.id })),
          timed(broker.post('/api/unsubscribe', { subject, id: subscription.id })),
        ]);
        for (const answer of answers) {
          expect({ round, status: answer.status, body: answer.body }).toEqual({ round, status: 503, body: { message: 'store unavailable' } });
          expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
        }
        // A batch fails whole, or entry by entry as a batch does (its entries succeed or fail on their own).
        const batch = await timed(broker.post('/api/publish/batch', { messages: [{ subject, data: `batch, ${round}` }] }));
        expect(batch.ms).toBeLessThan(ANSWER_BOUND_MS);
        expect([
          { status: 503, body: { message: 'store unavailable' } },
          { status: 200, body: { results: [{ message: 'store unavailable' }] } },
        ]).toContainEqual({ status: batch.status, body: batch.body });
        const ready = await timed(fetch(`${broker.url}/ready`).then(async (response) => ({ status: response.status, body: await response.text() })));
        expect(ready.status).toBe(503);
        expect(ready.ms).toBeLessThan(ANSWER_BOUND_MS);
      }
      expect(broker.child.exitCode).toBeNull();

      await redis.restart();
      await eventually(async () => (await fetch(`${broker.url}/ready`)).status === 204, 10_000);
      expect((await broker.post('/api/publish', { subject, data: 'after' })).status).toBe(200);
      // Redis kept what it had answered (append-only file), and nothing refused during the outage
      // shows up later: a client that retries a 503 does not get its message twice.
      expect((await broker.post('/api/fetch', { subject, id: subscription.id })).body.data).toEqual(['before', 'after']);

      const scrape = await MetricsScrape.of(metricsUrl);
      expect(scrape.type('gophermq_store_errors_total')).toBe('counter');
      expect(scrape.sum('gophermq_store_errors_total')).toBeGreaterThan(errorsBefore);
      expect(scrape.type('gophermq_store_call_duration_seconds')).toBe('histogram');
      expect(scrape.sum('gophermq_store_call_duration_seconds_count')).toBeGreaterThan(0);

      broker.child.kill('SIGTERM');
      expect(await broker.exited).toBe(0);
    } finally {
      await redis.close();
    }
  });

  it('answers 503 in bounded time while Redis does not answer at all (paused), and serves again once it does', async () => {
    const redis = await RedisServer.start();
    try {
      const broker = await BrokerProcess.start(sharedStore({ REDIS_COMMAND__TIMEOUT__MS: String(COMMAND_TIMEOUT_MS) }, redis.url));
      const subject = uniqueSubject('hung');
      const { body: subscription } = await broker.post('/api/subscribe', { subject });

      // The connection stays open and takes commands; only the command timeout can end a request.
      redis.pause();
      const answers = await Promise.all([
        timed(broker.post('/api/subscribe', { subject })),
        timed(broker.post('/api/publish', { subject, data: 'unanswered' })),
        timed(broker.post('/api/fetch', { subject, id: subscription.id })),
      ]);
      for (const answer of answers) {
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 503, body: { message: 'store unavailable' } });
        expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
      }
      const ready = await timed(fetch(`${broker.url}/ready`).then((response) => ({ status: response.status, body: undefined })));
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(broker.child.exitCode).toBeNull();

      redis.resume();
      await eventually(async () => (await fetch(`${broker.url}/ready`)).status === 204, 10_000);
      expect((await broker.post('/api/publish', { subject, data: 'answered' })).status).toBe(200);
      // What Redis was sent while paused it did once resumed; a request that timed out may have taken effect.
      expect((await broker.post('/api/fetch', { subject, id: subscription.id })).body.data).toContain('answered');
      broker.child.kill('SIGTERM');
      expect(await broker.exited).toBe(0);
    } finally {
      await redis.close();
    }
  });
});
