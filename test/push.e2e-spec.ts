import { createHmac } from 'node:crypto';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { eventually } from './support/eventually.js';
import { MetricsScrape } from './metrics-scrape.js';
import { PushReceiver } from './support/push-receiver.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

const SECRET = 'push-signing-secret-0123456789';

/** Webhook subscriptions over real HTTP: the broker POSTs each message to a receiver of the test's own. */
describe('push subscribers (webhooks)', () => {
  let receiver: PushReceiver;
  let broker: TestBroker;
  let hooks: string;

  beforeAll(async () => {
    receiver = await PushReceiver.start();
    hooks = `${receiver.origin}/hooks/`;
    broker = await TestBroker.start({ PUSH_ALLOWED__URLS: hooks, PUSH_SIGNING__SECRET: SECRET, PUSH_TIMEOUT__MS: '1000' });
  });
  afterAll(async () => {
    await broker?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.maxActive = 0;
    receiver.reply = () => ({ status: 204 });
  });

  const scrape = () => MetricsScrape.of(broker.get(MetricsServer).url);
  const pushTo = (subject: string, path: string, extra: Record<string, unknown> = {}) =>
    broker.post('/api/subscribe', { subject, pushUrl: `${hooks}${path}`, ackWaitMs: 5000, ...extra });
  const pushedTo = (path: string) => receiver.received.filter((push) => push.path === `/hooks/${path}`);

  it('is off unless push.allowed-urls lists prefixes', async () => {
    await TestBroker.using({}, async (plain) => {
      const subject = uniqueSubject('push.off');
      expect(await plain.post('/api/subscribe', { subject, pushUrl: hooks })).toMatchObject({ status: 400, body: { message: 'push delivery is not enabled' } });
      expect(await plain.publish(subject, 'x')).toMatchObject({ status: 404, body: { message: 'subscriber not found' } });
    });
  });

  it('refuses a pushUrl outside the allowed prefixes however it is spelt, and creates nothing', async () => {
    const port = new URL(receiver.origin).port;
    const outside = [
      `${receiver.origin}/hooks/../admin`,
      `${receiver.origin}/hooks/%2e%2e/admin`,
      `${receiver.origin}/hooks/%2E%2E%2Fadmin`,
      `${receiver.origin}/hooks/a%2fb`,
      `${receiver.origin}/hooks\\..\\admin`,
      `${receiver.origin}/hooksx`,
      `${receiver.origin}/hook`,
      `http://user:pw@127.0.0.1:${port}/hooks/x`,
      `http://127.0.0.1:${port}@example.com/hooks/x`,
      `http://127.0.0.1:${port}.example.com/hooks/x`,
      `http://127.0.0.2:${port}/hooks/x`,
      `https://127.0.0.1:${port}/hooks/x`,
      `${receiver.origin}/hooks/x#fragment`,
      `ftp://127.0.0.1:${port}/hooks/x`,
      'not a url',
      '/hooks/x',
    ];
    for (const pushUrl of outside) {
      const subject = uniqueSubject('push.outside');
      const answer = await broker.post('/api/subscribe', { subject, pushUrl });
      expect([pushUrl, answer.status, answer.body]).toEqual([pushUrl, 400, { message: 'push URL not allowed' }]);
      expect((await broker.publish(subject, 'x')).status).toBe(404);
    }
    expect(receiver.received).toEqual([]);
  });

  it('answers the normalised URL it will call, and the push settings', async () => {
    const subject = uniqueSubject('push.normal');
    const { status, body } = await broker.post('/api/subscribe', { subject, pushUrl: `${receiver.origin.toUpperCase().replace('HTTP', 'HtTp')}/hooks/a/./b/../c` });
    expect(status).toBe(200);
    expect(body).toEqual({ id: expect.any(String), subject, pushUrl: `${hooks}a/c`, pushConcurrency: 10, ackWaitMs: 30000, maxAckPending: 10 });
  });

  it('refuses push fields without what they need, out of range, or with name or maxAckPending', async () => {
    const subject = uniqueSubject('push.fields');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ pushConcurrency: 5 }, 'pushConcurrency: only together with pushUrl'],
      [{ pushUrl: hooks, name: 'durable' }, 'name: not together with pushUrl'],
      [{ pushUrl: hooks, maxAckPending: 5 }, 'maxAckPending: not together with pushUrl'],
      [{ pushUrl: hooks, ackWaitMs: 1000 }, 'ackWaitMs: must be above push.timeout-ms (1000)'],
      [{ pushUrl: hooks, pushConcurrency: 0 }, 'pushConcurrency'],
      [{ pushUrl: hooks, pushConcurrency: 101 }, 'pushConcurrency'],
      [{ pushUrl: 42 }, 'pushUrl'],
      [{ pushUrl: `${hooks}${'a'.repeat(2100)}` }, 'pushUrl'],
    ];
    for (const [fields, named] of cases) {
      const { status, body } = await broker.post('/api/subscribe', { subject, ...fields });
      expect([fields, status, body.message]).toEqual([fields, 400, "request's body is invalid"]);
      expect(body.errors.join(' ')).toContain(named);
    }
    expect((await broker.publish(subject, 'x')).status).toBe(404);
  });

  it('POSTs each message as signed JSON and acks it on 2xx', async () => {
    const subject = uniqueSubject('push.deliver');
    const { body: subscription } = await pushTo(subject, 'deliver');
    for (const data of ['one', 'two', 'three']) expect((await broker.publish(subject, data)).status).toBe(200);
    await eventually(() => pushedTo('deliver').length === 3);
    const pushes = pushedTo('deliver');
    expect(pushes.map(({ body }) => body)).toEqual(
      ['one', 'two', 'three'].map((data) => ({ subject, seq: expect.any(Number), data, deliveries: 1, id: subscription.id })),
    );
    for (const push of pushes) {
      expect(push.headers['content-type']).toBe('application/json');
      expect(push.headers['x-gophermq-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(push.raw).digest('hex')}`);
    }
    // Acked: nothing is left in flight for a fetch of the same subscriber to see again.
    await eventually(async () => (await scrape()).value('gophermq_messages_in_flight') === 0);
    expect((await broker.fetchMessages(subject, subscription.id)).body).toMatchObject({ data: [], remaining: 0 });
  });

  it('POSTs the subject each message was published to for a wildcard subscriber', async () => {
    const family = uniqueSubject('push.pattern');
    await pushTo(`${family}.>`, 'pattern');
    expect((await broker.publish(`${family}.eu.paris`, 'to paris')).status).toBe(200);
    await eventually(() => pushedTo('pattern').length === 1);
    expect(pushedTo('pattern')[0].body).toMatchObject({ subject: `${family}.eu.paris`, data: 'to paris' });
  });

  it('retries a failed push with backoff until the receiver answers 2xx', async () => {
    const subject = uniqueSubject('push.retry');
    const before = await scrape();
    receiver.reply = (_push, nth) => (nth <= 2 ? { status: 500 } : { status: 200 });
    await pushTo(subject, 'retry', { maxDeliveries: 5 });
    await broker.publish(subject, 'flaky');
    await eventually(() => pushedTo('retry').length === 3, 10_000);
    const pushes = pushedTo('retry');
    expect(pushes.map(({ body }) => [body.data, body.deliveries])).toEqual([['flaky', 1], ['flaky', 2], ['flaky', 3]]);
    expect(new Set(pushes.map(({ body }) => body.seq)).size).toBe(1);
    // 1 s then 2 s, each jittered to between half and all of it.
    expect(pushes[1].atMs - pushes[0].atMs).toBeGreaterThanOrEqual(450);
    expect(pushes[2].atMs - pushes[1].atMs).toBeGreaterThanOrEqual(950);
    await eventually(async () => (await scrape()).value('gophermq_messages_in_flight') === 0);
    const after = await scrape();
    expect(after.value('gophermq_push_requests_total', { outcome: '5xx' }) - before.value('gophermq_push_requests_total', { outcome: '5xx' })).toBe(2);
    expect(after.value('gophermq_push_requests_total', { outcome: '2xx' }) - before.value('gophermq_push_requests_total', { outcome: '2xx' })).toBe(1);
    expect(after.value('gophermq_push_duration_seconds_count') - before.value('gophermq_push_duration_seconds_count')).toBe(3);
    // Nothing more comes once it is acked.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(pushedTo('retry')).toHaveLength(3);
  });

  it('honours Retry-After on a 503', async () => {
    const subject = uniqueSubject('push.retry.after');
    receiver.reply = (_push, nth) => (nth === 1 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 204 });
    await pushTo(subject, 'later');
    await broker.publish(subject, 'patient');
    await eventually(() => pushedTo('later').length === 2, 10_000);
    const [first, second] = pushedTo('later');
    expect(second.atMs - first.atMs).toBeGreaterThanOrEqual(2900);
    expect(second.body).toMatchObject({ data: 'patient', deliveries: 2 });
  });

  it('dead-letters a message after maxDeliveries failed pushes', async () => {
    const subject = uniqueSubject('push.dead');
    const dead = `${subject}.dead`;
    const deadId = await broker.subscribe(dead);
    receiver.reply = () => ({ status: 500 });
    await pushTo(subject, 'dead', { maxDeliveries: 2, deadLetterSubject: dead });
    await broker.publish(subject, 'doomed');
    const deadLetters: string[] = [];
    await eventually(async () => {
      deadLetters.push(...(await broker.fetchMessages(dead, deadId)).body.data);
      return deadLetters.length > 0;
    }, 10_000);
    expect(deadLetters).toEqual(['doomed']);
    expect(pushedTo('dead').map(({ body }) => body.deliveries)).toEqual([1, 2]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(pushedTo('dead')).toHaveLength(2);
  });

  it('does not follow a redirect: a 3xx is a failed delivery', async () => {
    const subject = uniqueSubject('push.redirect');
    receiver.reply = (push) => (push.path === '/hooks/redirect' ? { status: 307, headers: { location: `${hooks}elsewhere` } } : { status: 204 });
    await pushTo(subject, 'redirect', { maxDeliveries: 1 });
    await broker.publish(subject, 'moved');
    await eventually(async () => (await scrape()).value('gophermq_push_requests_total', { outcome: '3xx' }) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pushedTo('elsewhere')).toEqual([]);
  });

  it('times out a receiver that does not answer, without holding up other push subscribers', async () => {
    const [slow, fast] = [uniqueSubject('push.slow'), uniqueSubject('push.fast')];
    const before = (await scrape()).value('gophermq_push_requests_total', { outcome: 'timeout' });
    receiver.reply = (push) => (push.path === '/hooks/hang' ? 'hang' : { status: 204 });
    await pushTo(slow, 'hang', { maxDeliveries: 1 });
    await pushTo(fast, 'fast');
    for (let i = 0; i < 20; i++) await broker.publish(slow, `slow ${i}`);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await broker.publish(fast, `fast ${i}`);
    await eventually(() => pushedTo('fast').length === 5);
    expect(Date.now() - started).toBeLessThan(900);
    // At most pushConcurrency (10) requests at once to the receiver that hangs.
    expect(pushedTo('hang').length).toBeLessThanOrEqual(10);
    await eventually(async () => (await scrape()).value('gophermq_push_requests_total', { outcome: 'timeout' }) - before >= 10, 5000);
  });

  it('keeps at most pushConcurrency requests in flight and reports the messages waiting', async () => {
    const subject = uniqueSubject('push.concurrency');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Counted here, not by the receiver: requests of earlier tests (time-outs) may still be open.
    let active = 0;
    let maxActive = 0;
    receiver.reply = async (push) => {
      if (push.path !== '/hooks/gated') return { status: 204 };
      maxActive = Math.max(maxActive, ++active);
      await gate;
      active -= 1;
      return { status: 204 };
    };
    await pushTo(subject, 'gated', { pushConcurrency: 3 });
    for (let i = 0; i < 10; i++) await broker.publish(subject, `m${i}`);
    await eventually(() => pushedTo('gated').length === 3);
    await eventually(async () => (await scrape()).value('gophermq_push_waiting_messages') >= 7);
    expect(maxActive).toBe(3);
    release();
    await eventually(() => pushedTo('gated').length === 10);
    expect(maxActive).toBe(3);
    expect(pushedTo('gated').map(({ body }) => body.data)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('stops pushing once unsubscribed', async () => {
    const subject = uniqueSubject('push.unsubscribe');
    await broker.subscribe(subject); // keeps the subject publishable
    const { body: subscription } = await pushTo(subject, 'gone');
    await broker.publish(subject, 'before');
    await eventually(() => pushedTo('gone').length === 1);
    const pushing = (await scrape()).value('gophermq_push_subscribers');
    expect(await broker.post('/api/unsubscribe', { subject, id: subscription.id })).toMatchObject({ status: 200 });
    for (let i = 0; i < 5; i++) expect((await broker.publish(subject, `after ${i}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(pushedTo('gone').map(({ body }) => body.data)).toEqual(['before']);
    expect((await scrape()).value('gophermq_push_subscribers')).toBe(pushing - 1);
  });

  it('is described in the OpenAPI document: the subscribe fields, the answer, the errors', async () => {
    const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
    const { schemas } = document.components;
    expect(schemas.SubscribeRequestDto.properties.pushUrl).toMatchObject({ type: 'string', format: 'uri', maxLength: 2048 });
    expect(schemas.SubscribeRequestDto.properties.pushConcurrency).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    expect(schemas.SubscriptionDto.properties).toMatchObject({ pushUrl: { type: 'string' }, pushConcurrency: { type: 'integer' } });
    const subscribe = document.paths['/api/subscribe'].post;
    expect(subscribe.responses['200'].content['application/json'].examples.push.value).toMatchObject({ pushUrl: expect.any(String), pushConcurrency: 10 });
    expect(JSON.stringify(subscribe.responses['400'])).toContain('push URL not allowed');
  });
});
