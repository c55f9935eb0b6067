import { createHash } from 'node:crypto';
import http from 'node:http';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { eventually } from './support/eventually.js';
import { TestBroker, uniqueSubject, type Answer } from './support/test-broker.js';

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const ORDERS = 'orders-secret-0001';
const BILLING = 'billing-secret-0001';
const ADMIN = 'admin-secret-000001';

/** Two teams' tokens, and the admin token from the environment. */
const TOKENS_YAML = `
auth:
  enable: true
  tokens:
    - name: orders
      sha256: ${sha256(ORDERS)}
      publish: ["orders.>"]
      subscribe: ["orders.*"]
    - name: billing
      sha256: ${sha256(BILLING)}
      publish: [billing.invoices]
      subscribe: ["billing.>", "orders.*"]
`;

/** POST as the holder of `token` (none: no Authorization header). */
function as(broker: TestBroker, token: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return (path: string, body: unknown): Promise<Answer> => broker.post(path, body, { headers });
}

describe('access control (auth.enable)', () => {
  let broker: TestBroker;
  let orders: ReturnType<typeof as>;
  let billing: ReturnType<typeof as>;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    broker = await TestBroker.start({ AUTH_ADMIN__TOKEN: ADMIN }, TOKENS_YAML);
    [orders, billing, admin] = [as(broker, ORDERS), as(broker, BILLING), as(broker, ADMIN)];
  });
  afterAll(() => broker.close());

  describe('401 without a known token', () => {
    it.each([
      ['no Authorization header', undefined],
      ['an unknown token', 'not-a-known-secret'],
      ['a token of another scheme', 'Basic b3JkZXJzOng='],
    ])('%s: 401 unauthorized, with WWW-Authenticate: Bearer, and nothing done', async (_, header) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (header) headers.authorization = header.startsWith('Basic') ? header : `Bearer ${header}`;
      const subject = uniqueSubject('orders');
      const answer = await broker.post('/api/subscribe', { subject }, { headers });
      expect([answer.status, answer.body, answer.headers.get('www-authenticate')]).toEqual([401, { message: 'unauthorized' }, 'Bearer']);
      expect((await admin('/api/publish', { subject, data: 'x' })).body).toEqual({ message: 'subscriber not found' });
    });

    it('identifies each request of one connection by its own header, whatever the one before it carried', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const post = (authorization: string) =>
        new Promise<{ status: number; port: number }>((resolve, reject) => {
          const request = http.request(`${broker.url}/api/publish`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization } }, (response) => {
            const port = response.socket.localPort!;
            response.resume().on('end', () => resolve({ status: response.statusCode!, port }));
          });
          request.on('error', reject).end(JSON.stringify({ subject: 'billing.invoices', data: 'x' }));
        });
      const sameLengthAsOrders = `Bearer ${ORDERS.replace('orders', 'ordest')}`;
      const answers = [await post(`Bearer ${BILLING}`), await post(`Bearer ${ORDERS}`), await post(sameLengthAsOrders), await post(`Bearer ${ORDERS}`), await post(`Bearer ${BILLING}`)];
      agent.destroy();
      expect(new Set(answers.map(({ port }) => port)).size).toBe(1); // one connection
      expect(answers.map(({ status }) => status)).toEqual([404, 403, 401, 403, 404]); // billing may publish there (nobody subscribes), orders may not
    });

    it('answers 401 before it reads the body: a malformed body is not reported', async () => {
      const answer = await broker.post('/api/publish', '{not json');
      expect([answer.status, answer.body]).toEqual([401, { message: 'unauthorized' }]);
    });

    it('OpenAPI declares the bearer scheme and the 401 and 403 answers on every API operation', async () => {
      const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const operations = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/')).map(([path, item]: [string, any]) => [path, item.post ?? item.get]);
      // 9 POST routes of the API, GET /api/stream, 6 routes of the management API.
      expect(operations).toHaveLength(16);
      for (const [path, operation] of operations) {
        expect([path, operation.security, Object.keys(operation.responses)]).toEqual([path, [{ bearer: [] }], expect.arrayContaining(['401', '403'])]);
        expect(operation.responses['401'].content['application/json'].example).toEqual({ message: 'unauthorized' });
      }
      expect(document.paths['/ready'].get.security).toBeUndefined();
    });

    it('leaves /ready and the docs open', async () => {
      expect((await fetch(`${broker.url}/ready`)).status).toBe(204);
      expect((await fetch(`${broker.url}/docs-json`)).status).toBe(200);
    });
  });

  describe('permissions by subject', () => {
    it.each([
      ['orders', 'publish', 'orders.created', true],
      ['orders', 'publish', 'orders.eu.created', true], // orders.> : one or more tokens
      ['orders', 'publish', 'orders', false],
      ['orders', 'publish', 'billing.invoices', false],
      ['billing', 'publish', 'billing.invoices', true],
      ['billing', 'publish', 'billing.invoices.late', false], // a literal pattern: that subject only
      ['orders', 'subscribe', 'orders.created', true],
      ['orders', 'subscribe', 'orders.eu.created', false], // orders.* : exactly one token
      ['orders', 'subscribe', 'billing.invoices', false],
      ['billing', 'subscribe', 'billing.a.b.c', true],
      ['billing', 'subscribe', 'orders.created', true],
      ['admin', 'publish', 'anything.at.all', true],
      ['admin', 'subscribe', 'anything.at.all', true],
      // A pattern needs a permission covering all it matches.
      ['orders', 'subscribe', 'orders.*', true],
      ['orders', 'subscribe', 'orders.>', false],
      ['orders', 'subscribe', '>', false],
      ['orders', 'subscribe', '*.created', false],
      ['billing', 'subscribe', 'billing.>', true],
      ['billing', 'subscribe', 'billing.*.late', true],
      ['admin', 'subscribe', '>', true],
    ])('%s may %s on %s: %s', async (token, action, prefix, allowed) => {
      const post = { orders, billing, admin }[token]!;
      const subject = prefix; // fixed subjects: the permission is what is tested; a publish may find no subscriber
      const answer = action === 'publish' ? await post('/api/publish', { subject, data: 'x' }) : await post('/api/subscribe', { subject });
      if (allowed) expect(answer.status === 200 || answer.body.message === 'subscriber not found').toBe(true);
      else expect([answer.status, answer.body]).toEqual([403, { message: 'forbidden' }]);
    });

    it('a pattern subscriber within its permission gets the messages of the subjects it matches; fetch on a wider pattern is refused', async () => {
      const id = (await orders('/api/subscribe', { subject: 'orders.*' })).body.id;
      expect((await orders('/api/publish', { subject: 'orders.paid', data: 'p' })).status).toBe(200);
      expect((await orders('/api/fetch', { subject: 'orders.*', id })).body).toMatchObject({ data: ['p'], messages: [{ subject: 'orders.paid', data: 'p' }] });
      expect((await orders('/api/fetch', { subject: 'orders.>', id })).status).toBe(403);
      await orders('/api/unsubscribe', { subject: 'orders.*', id });
    });

    it('refuses a deadLetterSubject the token may not publish to: the broker would publish there for it', async () => {
      const subject = 'orders.created';
      const refused = await orders('/api/subscribe', { subject, ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'billing.invoices' });
      expect([refused.status, refused.body]).toEqual([403, { message: 'forbidden' }]);
      const allowed = await orders('/api/subscribe', { subject, ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'orders.dead' });
      expect(allowed.status).toBe(200);
      await orders('/api/unsubscribe', { subject, id: allowed.body.id });
    });

    it('refuses async publish to a subject out of the token publish patterns, and takes it within them', async () => {
      expect((await orders('/api/publish/async', { subject: 'billing.invoices', data: 'x' })).status).toBe(403);
      expect((await orders('/api/publish/async', { subject: 'orders.created', data: 'x' })).status).toBe(200);
    });

    it('batch: the entries the token may not publish answer forbidden; the others are published', async () => {
      const subject = `orders.${uniqueSubject('b').replaceAll('.', '-')}`;
      const id = (await orders('/api/subscribe', { subject })).body.id;
      const answer = await orders('/api/publish/batch', {
        messages: [
          { subject, data: 'one' },
          { subject: 'billing.invoices', data: 'no' },
          { subject, data: 'two' },
        ],
      });
      expect(answer.body).toEqual({ results: [{ status: 'ok' }, { message: 'forbidden' }, { status: 'ok' }] });
      expect((await orders('/api/fetch', { subject, id })).body.data).toEqual(['one', 'two']);
    });

    it('refuses fetch, ack, nack, extend and unsubscribe on a subject the token may not subscribe to', async () => {
      const subject = uniqueSubject('audit');
      const id = (await admin('/api/subscribe', { subject, ackWaitMs: 10_000 })).body.id;
      for (const [path, extra] of [['/api/fetch', {}], ['/api/ack', { seqs: [1] }], ['/api/nack', { seqs: [1] }], ['/api/extend', { seqs: [1] }], ['/api/unsubscribe', {}]] as const) {
        const answer = await orders(path, { subject, id, ...extra });
        expect([path, answer.status, answer.body]).toEqual([path, 403, { message: 'forbidden' }]);
      }
    });

    it('still answers a malformed body 400, as without auth', async () => {
      expect(await orders('/api/publish', { subject: 'orders..x', data: 'x' })).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
      expect(await orders('/api/publish', { subject: 'orders.created' })).toMatchObject({ status: 400, body: { message: "request's body is invalid" } });
    });
  });

  describe('subscriber ownership', () => {
    it('a subscriber is usable only with the token that created it: another gets 404 bad id, even allowed on the subject', async () => {
      const subject = `orders.${uniqueSubject('own').replaceAll('.', '-')}`;
      const id: string = (await orders('/api/subscribe', { subject, ackWaitMs: 10_000 })).body.id;
      expect(id).toMatch(/^[0-9a-f-]{36}\.[\w-]{22}$/);
      await orders('/api/publish', { subject, data: 'mine' });

      const storeId = id.split('.')[0];
      for (const [post, tryId] of [[billing, id], [admin, id], [orders, storeId], [admin, storeId], [orders, `${storeId}.${'A'.repeat(22)}`]] as const) {
        for (const [path, extra] of [['/api/fetch', {}], ['/api/ack', { seqs: [1] }], ['/api/nack', { seqs: [1] }], ['/api/extend', { seqs: [1] }], ['/api/unsubscribe', {}]] as const) {
          const answer = await post(path, { subject, id: tryId, ...extra });
          expect([path, tryId, answer.status, answer.body]).toEqual([path, tryId, 404, { message: 'bad id' }]);
        }
      }
      const fetched = await orders('/api/fetch', { subject, id });
      expect(fetched.body).toMatchObject({ subject, id, data: ['mine'] }); // the answer echoes the id as the client holds it
      expect((await orders('/api/ack', { subject, id, seqs: [fetched.body.messages[0].seq] })).body).toEqual({ acked: 1 });
      expect((await orders('/api/unsubscribe', { subject, id })).body).toEqual({ status: 'ok' });
      expect((await orders('/api/fetch', { subject, id })).body).toEqual({ message: 'bad id' });
    });
  });

  describe('metrics', () => {
    it('counts denials by token name and reason, and the answers by method and code; never a secret', async () => {
      const before = await MetricsScrape.of(broker.get(MetricsServer).url);
      await broker.post('/api/publish', { subject: 'x', data: 'x' });
      await billing('/api/publish', { subject: 'orders.created', data: 'x' });
      const after = await MetricsScrape.of(broker.get(MetricsServer).url);
      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta('gophermq_requests_denied_total', { token: '(none)', reason: 'unauthorized' })).toBe(1);
      expect(delta('gophermq_requests_denied_total', { token: 'billing', reason: 'forbidden' })).toBe(1);
      expect(delta('gophermq_client_request_rate', { method: 'publish', code: '401' })).toBe(1);
      expect(delta('gophermq_client_request_rate', { method: 'publish', code: '403' })).toBe(1);
      for (const secret of [ORDERS, BILLING, ADMIN, sha256(ORDERS)]) expect(after.text).not.toContain(secret);
    });
  });
});

describe('auth off (the default)', () => {
  it('takes requests without a token, with plain subscriber ids, and no rate-limit headers', async () => {
    await TestBroker.using({}, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await broker.publish(subject, 'x')).status).toBe(200);
      const fetched = await broker.fetchMessages(subject, id);
      expect([fetched.body, fetched.headers.get('x-ratelimit-limit')]).toEqual([{ subject, id, data: ['x'], remaining: 0 }, null]);
      expect((await broker.post('/api/publish/batch', { messages: [{ subject, data: 'y' }] })).body).toEqual({ results: [{ status: 'ok' }] });
    });
  });

  it('can switch the docs off', async () => {
    await TestBroker.using({ BROKER_SERVE__DOCS: 'false' }, async (broker) => {
      expect((await fetch(`${broker.url}/docs-json`)).status).toBe(404);
      expect((await fetch(`${broker.url}/docs`)).status).toBe(404);
    });
  });
});

describe('rate limits (rate-limit.max per rate-limit.window-ms)', () => {
  it('without auth, per client address: past the limit 429 with Retry-After, counted; recovered after the window', async () => {
    await TestBroker.using({ RATE__LIMIT_MAX: '3', RATE__LIMIT_WINDOW__MS: '2000' }, async (broker) => {
      const subject = uniqueSubject();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await broker.publish(subject, 'x')).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const refused = await broker.publish(subject, 'x');
      expect([refused.status, refused.body]).toEqual([429, { message: 'rate limit exceeded' }]);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1); // seconds left in the window
      expect((await fetch(`${broker.url}/ready`)).status).toBe(204); // health checks are not limited

      const scrape = await MetricsScrape.of(broker.get(MetricsServer).url);
      expect(scrape.value('gophermq_client_request_rate', { method: 'publish', code: '429' })).toBe(2);
      expect(scrape.value('gophermq_requests_denied_total', { token: '(none)', reason: 'rate_limited' })).toBe(2);

      await eventually(async () => (await broker.publish(subject, 'x')).status === 404, 5000);

      const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
      expect(document.paths['/api/publish'].post.responses['429'].description).toMatch(/rate limit exceeded/);
      expect(document.paths['/api/fetch'].post.responses['429'].content['application/json'].example).toEqual({ message: 'rate limit exceeded' });
      expect(document.components.securitySchemes).toBeUndefined(); // auth off: no token asked for
    });
  });

  it('with auth, per token, with a token own rate-limit-max: one token past its limit does not hold back another', async () => {
    const yaml = `${TOKENS_YAML}      rate-limit-max: 2\nrate-limit:\n  max: 100\n  window-ms: 60000\n`;
    const broker = await TestBroker.start({}, yaml);
    try {
      const [orders, billing] = [as(broker, ORDERS), as(broker, BILLING)];
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await billing('/api/publish', { subject: 'billing.invoices', data: 'x' })).status);
      expect(statuses).toEqual([404, 404, 429]);
      expect((await orders('/api/publish', { subject: 'orders.created', data: 'x' })).status).toBe(404);
      const scrape = await MetricsScrape.of(broker.get(MetricsServer).url);
      expect(scrape.value('gophermq_requests_denied_total', { token: 'billing', reason: 'rate_limited' })).toBe(1);
    } finally {
      await broker.close();
    }
  });
});

describe('monitoring.host', () => {
  it('serves /metrics on that address only', async () => {
    await TestBroker.using({ MONITORING_HOST: '127.0.0.2' }, async (broker) => {
      const metrics = broker.get(MetricsServer);
      expect(metrics.url).toBe(`http://127.0.0.2:${metrics.port}/metrics`);
      expect((await fetch(metrics.url)).status).toBe(200);
      await expect(fetch(`http://127.0.0.1:${metrics.port}/metrics`)).rejects.toThrow();
    });
  });
});
