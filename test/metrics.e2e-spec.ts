import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { freePort } from './support/free-port.js';

const REQUESTS = 'gophermq_client_request_rate';
const DURATION = 'gophermq_request_duration_seconds';

/** /metrics on the monitoring port, as Prometheus sees it. */
describe('Metrics', () => {
  let broker: TestBroker;
  let metricsUrl: string;

  beforeAll(async () => {
    // Store-wide figures read fresh for every scrape, so each step shows at once (test/redis/store-stats.e2e-spec.ts: the interval).
    broker = await TestBroker.start({ BROKER_MAX__PENDING: '1000', BROKER_BODY__LIMIT__BYTES: '1024', MONITORING_STORE__STATS__INTERVAL__MS: '0' });
    metricsUrl = broker.get(MetricsServer).url;
  });
  afterAll(() => broker.close());

  /** Runs `action` between two scrapes; the result tells how much a series moved. */
  async function moved(action: () => Promise<unknown>, url = metricsUrl) {
    const before = await MetricsScrape.of(url);
    await action();
    const after = await MetricsScrape.of(url);
    return {
      requests: (method: string, code: string) =>
        after.value(REQUESTS, { method, code }) - before.value(REQUESTS, { method, code }),
      timed: (method: string, code: string) =>
        after.value(`${DURATION}_count`, { method, code }) - before.value(`${DURATION}_count`, { method, code }),
      allRequests: () => after.sum(REQUESTS) - before.sum(REQUESTS),
      by: (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels),
      after,
    };
  }

  describe('the monitoring port', () => {
    it('serves the Prometheus text format at /metrics, apart from the API port', async () => {
      const response = await fetch(metricsUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(new URL(metricsUrl).port).not.toBe(new URL(broker.url).port);
      const scrape = MetricsScrape.parse(await response.text());
      expect(scrape.type(REQUESTS)).toBe('counter');
      expect(scrape.type(DURATION)).toBe('histogram');
    });

    it.each([
      ['GET', '/'],
      ['GET', '/metrics/extra'],
      ['GET', '/ready'],
      ['GET', '/api/fetch'],
      ['POST', '/metrics'],
    ])('answers %s %s with 404', async (method, path) => {
      const response = await fetch(new URL(path, metricsUrl), { method });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain(REQUESTS);
    });

    it('is not served on the API port', async () => {
      const response = await fetch(`${broker.url}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain(REQUESTS);
    });

    it('has buckets that resolve sub-millisecond latencies', async () => {
      const subject = uniqueSubject('metrics');
      await broker.subscribe(subject);
      const scrape = await MetricsScrape.of(metricsUrl);
      const bounds = scrape.labelSets(`${DURATION}_bucket`).filter((labels) => labels.method === 'subscribe').map((labels) => labels.le);
      expect(bounds).toEqual(expect.arrayContaining(['0.0001', '0.00025', '0.0005', '0.001', '+Inf']));
    });
  });

  describe('request series', () => {
    it('count each successful request once, under its method, with code 200', async () => {
      const subject = uniqueSubject('metrics');
      let id = '';
      const diff = await moved(async () => {
        id = await broker.subscribe(subject);
        await broker.subscribe(subject);
        for (let i = 0; i < 3; i++) expect((await broker.publish(subject, `m${i}`)).status).toBe(200);
        expect((await broker.post('/api/publish/async', { subject, data: 'bg' })).status).toBe(200);
        expect((await broker.post('/api/publish/batch', { messages: [{ subject, data: 'b' }] })).status).toBe(200);
        expect((await broker.fetchMessages(subject, id)).status).toBe(200);
        expect((await broker.fetchMessages(subject, id, { waitMs: 0 })).status).toBe(200);
        expect((await broker.post('/api/unsubscribe', { subject, id })).status).toBe(200);
      });
      expect(diff.requests('subscribe', '200')).toBe(2);
      expect(diff.requests('publish', '200')).toBe(3);
      expect(diff.requests('publish_async', '200')).toBe(1);
      expect(diff.requests('publish_batch', '200')).toBe(1);
      expect(diff.requests('fetch', '200')).toBe(2);
      expect(diff.requests('unsubscribe', '200')).toBe(1);
      expect(diff.allRequests()).toBe(10);
      for (const method of ['subscribe', 'publish', 'publish_async', 'publish_batch', 'fetch', 'unsubscribe']) {
        expect(diff.timed(method, '200')).toBe(diff.requests(method, '200'));
      }
    });

    it('label every error with its status code', async () => {
      const small = await TestBroker.start({ BROKER_MAX__PENDING: '1', BROKER_BODY__LIMIT__BYTES: '1024' });
      try {
        const subject = uniqueSubject('metrics');
        const diff = await moved(async () => {
          expect((await small.post('/api/publish', { subject: 'a..b', data: 'x' })).status).toBe(400);
          expect((await small.post('/api/publish', '{"subject": ')).status).toBe(400);
          expect((await small.publish(subject, 'nobody listens')).status).toBe(404);
          expect((await small.post('/api/publish', { subject, data: 'x'.repeat(2000) })).status).toBe(413);
          expect((await small.post('/api/publish', 'subject=a', { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
          await small.subscribe(subject);
          expect((await small.publish(subject, 'fills the broker')).status).toBe(200);
          expect((await small.publish(subject, 'one too many')).status).toBe(429);
          expect((await small.fetchMessages(subject, 'no-such-id')).status).toBe(404);
          expect((await small.post('/api/subscribe', { subject: '' })).status).toBe(400);
        }, small.get(MetricsServer).url);
        expect(diff.requests('publish', '400')).toBe(2);
        expect(diff.requests('publish', '404')).toBe(1);
        expect(diff.requests('publish', '413')).toBe(1);
        expect(diff.requests('publish', '415')).toBe(1);
        expect(diff.requests('publish', '429')).toBe(1);
        expect(diff.requests('publish', '200')).toBe(1);
        expect(diff.requests('fetch', '404')).toBe(1);
        expect(diff.requests('subscribe', '400')).toBe(1);
        expect(diff.requests('subscribe', '200')).toBe(1);
        expect(diff.allRequests()).toBe(10);
        for (const code of ['400', '404', '413', '415', '429']) expect(diff.timed('publish', code)).toBe(diff.requests('publish', code));
      } finally {
        await small.close();
      }
    });

    it('keep fetches that wait (waitMs > 0) apart as fetch_wait', async () => {
      const subject = uniqueSubject('metrics');
      const id = await broker.subscribe(subject);
      const diff = await moved(async () => {
        const waiting = broker.fetchMessages(subject, id, { waitMs: 5000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        await broker.publish(subject, 'wake up');
        expect((await waiting).body.data).toEqual(['wake up']);
        expect((await broker.fetchMessages(subject, id, { waitMs: 20 })).status).toBe(200);
        expect((await broker.fetchMessages(subject, id)).status).toBe(200);
      });
      expect(diff.requests('fetch_wait', '200')).toBe(2);
      expect(diff.requests('fetch', '200')).toBe(1);
      const waited = diff.after.value(`${DURATION}_sum`, { method: 'fetch_wait', code: '200' });
      expect(waited).toBeGreaterThanOrEqual(0.05); // the long-poll's time is in fetch_wait, not in fetch
    });

    it.each([
      ['GET', '/ready'],
      ['GET', '/docs-json'],
      ['POST', '/api/nope'],
      ['GET', '/nope'],
      ['GET', '/api/publish'],
    ])('do not count %s %s, which is not an API route', async (method, path) => {
      const diff = await moved(() => fetch(broker.url + path, { method }));
      expect(diff.allRequests()).toBe(0);
    });
  });

  describe('broker series', () => {
    it('report what the broker holds, its limits and its totals, read at scrape time', async () => {
      const subject = uniqueSubject('metrics');
      const diff = await moved(async () => {
        const [a] = [await broker.subscribe(subject), await broker.subscribe(subject)];
        await broker.publish(subject, 'héllo'); // 6 bytes in UTF-8
        await broker.fetchMessages(subject, a);
        await broker.publish(uniqueSubject('metrics'), 'refused');
      });
      const after = diff.after;
      expect(diff.by('gophermq_messages_held')).toBe(1); // held once for the subscriber that has not fetched
      expect(diff.by('gophermq_messages_held_bytes')).toBe(6);
      expect(diff.by('gophermq_subscribers')).toBe(2);
      expect(diff.by('gophermq_subjects')).toBe(1);
      expect(diff.by('gophermq_messages_published_total')).toBe(1);
      expect(diff.by('gophermq_messages_delivered_total')).toBe(1);
      expect(diff.by('gophermq_messages_refused_total', { reason: 'no_subscriber' })).toBe(1);
      expect(diff.by('gophermq_messages_refused_total', { reason: 'overflow' })).toBe(0);
      expect(after.value('gophermq_broker_max_pending')).toBe(1000);
      expect(after.value('gophermq_broker_max_pending_bytes')).toBe(64 * 1024 * 1024);
      expect(after.value('gophermq_broker_max_subscribers')).toBe(100_000);
      expect(after.value('gophermq_async_queue_capacity')).toBe(10_000);
      expect(after.value('gophermq_async_queue_depth')).toBe(0);
      expect(after.value('gophermq_oldest_pending_message_age_seconds')).toBeGreaterThan(0);
      expect(after.labelSets('gophermq_async_publish_failures_total').map((labels) => labels.reason).sort()).toEqual(
        ['error', 'no_subscriber', 'overflow'],
      );
      expect(after.type('gophermq_messages_published_total')).toBe('counter');
      expect(after.type('gophermq_messages_held')).toBe('gauge');
    });

    it('count the wildcard patterns that have subscribers, once each however many', async () => {
      const base = uniqueSubject('metrics');
      const [one, two] = [await broker.subscribe(`${base}.*`), await broker.subscribe(`${base}.*`)];
      const other = await broker.subscribe(`${base}.>`);
      await broker.subscribe(`${base}.literal`);
      const scrape = await MetricsScrape.of(metricsUrl);
      expect(scrape.type('gophermq_pattern_subscriptions')).toBe('gauge');
      const subscribed = scrape.value('gophermq_pattern_subscriptions');
      expect(subscribed).toBeGreaterThanOrEqual(2);
      const gone = await moved(async () => {
        await broker.post('/api/unsubscribe', { subject: `${base}.*`, id: one });
        await broker.post('/api/unsubscribe', { subject: `${base}.>`, id: other });
      });
      // The pattern with a subscriber left still counts; the other is gone.
      expect(gone.by('gophermq_pattern_subscriptions')).toBe(-1);
      const last = await moved(() => broker.post('/api/unsubscribe', { subject: `${base}.*`, id: two }));
      expect(last.by('gophermq_pattern_subscriptions')).toBe(-1);
    });

    it('report acknowledged delivery from the start, at 0 while no subscriber uses it', async () => {
      const scrape = await MetricsScrape.of(metricsUrl);
      expect(scrape.type('gophermq_messages_in_flight')).toBe('gauge');
      for (const counter of ['gophermq_messages_redelivered_total', 'gophermq_messages_dead_lettered_total', 'gophermq_messages_dropped_total']) {
        expect({ counter, type: scrape.type(counter), samples: scrape.labelSets(counter).length }).toEqual({ counter, type: 'counter', samples: 1 });
      }
      for (const name of ['gophermq_messages_in_flight', 'gophermq_messages_redelivered_total', 'gophermq_messages_dead_lettered_total', 'gophermq_messages_dropped_total']) {
        expect({ name, value: scrape.value(name) }).toEqual({ name, value: 0 });
      }
    });

    it('count redeliveries, dead letters and drops, and show messages in flight', async () => {
      const ackWaitMs = 60_000; // no deadline passes during the test: nacks drive every move
      const subscribe = async (body: Record<string, unknown>) => {
        const answer = await broker.post('/api/subscribe', { ackWaitMs, ...body });
        expect(answer.status).toBe(200);
        return answer.body.id as string;
      };
      /** Fetches one message and nacks it; returns its delivery count. */
      const fetchAndNack = async (subject: string, id: string) => {
        const [message] = (await broker.fetchMessages(subject, id)).body.messages;
        expect((await broker.post('/api/nack', { subject, id, seqs: [message.seq] })).body).toEqual({ nacked: 1 });
        return message.deliveries as number;
      };
      const [retried, dead, dropping, working] = ['retried', 'dead', 'dropping', 'working'].map((name) => uniqueSubject(`metrics.${name}`));
      const deadReader = await broker.subscribe(dead);
      const diff = await moved(async () => {
        const retriedId = await subscribe({ subject: retried, maxDeliveries: 2, deadLetterSubject: dead });
        await broker.publish(retried, 'retried');
        expect(await fetchAndNack(retried, retriedId)).toBe(1);
        expect(await fetchAndNack(retried, retriedId)).toBe(2); // the second delivery, then dead-lettered

        const droppingId = await subscribe({ subject: dropping, maxDeliveries: 1 });
        await broker.publish(dropping, 'dropped');
        expect(await fetchAndNack(dropping, droppingId)).toBe(1);

        const workingId = await subscribe({ subject: working });
        await broker.publish(working, 'done');
        await broker.publish(working, 'still working');
        const { messages } = (await broker.fetchMessages(working, workingId)).body;
        expect((await broker.post('/api/ack', { subject: working, id: workingId, seqs: [messages[0].seq] })).body).toEqual({ acked: 1 });
      });
      expect(diff.by('gophermq_messages_redelivered_total')).toBe(1);
      expect(diff.by('gophermq_messages_dead_lettered_total')).toBe(1);
      expect(diff.by('gophermq_messages_dropped_total')).toBe(1);
      expect(diff.by('gophermq_messages_in_flight')).toBe(1);
      expect(diff.by('gophermq_messages_published_total')).toBe(4); // the dead letter is not a publish
      expect(diff.by('gophermq_messages_delivered_total')).toBe(5); // the redelivery is a delivery
      expect(diff.by('gophermq_messages_held')).toBe(2); // the one in flight, and the dead letter
      expect((await broker.fetchMessages(dead, deadReader)).body.data).toEqual(['retried']);
    });

    it('count a failed async publish by reason', async () => {
      const diff = await moved(async () => {
        expect((await broker.post('/api/publish/async', { subject: uniqueSubject('metrics'), data: 'x' })).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100)); // the worker publishes in the background
      });
      expect(diff.by('gophermq_async_publish_failures_total', { reason: 'no_subscriber' })).toBe(1);
      expect(diff.by('gophermq_async_publish_failures_total', { reason: 'overflow' })).toBe(0);
    });

    it('show a parked long-poll fetch as waiting', async () => {
      const subject = uniqueSubject('metrics');
      const id = await broker.subscribe(subject);
      const waiting = broker.fetchMessages(subject, id, { waitMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await MetricsScrape.of(metricsUrl)).value('gophermq_waiting_fetches')).toBe(1);
      await broker.publish(subject, 'go');
      await waiting;
      expect((await MetricsScrape.of(metricsUrl)).value('gophermq_waiting_fetches')).toBe(0);
    });

    it('include the Node process metrics: event-loop lag, heap, GC', async () => {
      const scrape = await MetricsScrape.of(metricsUrl);
      expect(scrape.type('nodejs_eventloop_lag_seconds')).toBe('gauge');
      expect(scrape.type('nodejs_heap_size_used_bytes')).toBe('gauge');
      expect(scrape.type('nodejs_gc_duration_seconds')).toBe('histogram');
      expect(scrape.type('process_cpu_seconds_total')).toBe('counter');
      expect(scrape.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    });
  });

  describe('lifecycle', () => {
    it('keeps the counts of two apps in one process apart', async () => {
      const other = await TestBroker.start();
      try {
        const otherUrl = other.get(MetricsServer).url;
        expect(otherUrl).not.toBe(metricsUrl);
        const diff = await moved(() => other.subscribe(uniqueSubject('metrics')));
        expect(diff.requests('subscribe', '200')).toBe(0);
        expect((await MetricsScrape.of(otherUrl)).value(REQUESTS, { method: 'subscribe', code: '200' })).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('stops serving metrics when the app closes', async () => {
      const other = await TestBroker.start();
      const otherUrl = other.get(MetricsServer).url;
      expect((await fetch(otherUrl)).status).toBe(200);
      await other.close();
      await expect(fetch(otherUrl)).rejects.toThrow();
    });

    it('serves no metrics when monitoring.enable is false', async () => {
      const port = await freePort();
      const other = await TestBroker.start({ MONITORING_ENABLE: 'false', MONITORING_PORT: String(port) });
      try {
        expect(() => other.get(MetricsServer)).toThrow();
        await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
        expect((await other.post('/api/subscribe', { subject: uniqueSubject('metrics') })).status).toBe(200);
      } finally {
        await other.close();
      }
    });
  });
});
