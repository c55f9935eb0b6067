import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker } from './support/test-broker.js';

const TOKEN = 'scrape-0123456789abcdef';

/** monitoring.token: /metrics answers only a scraper that sends `Authorization: Bearer <token>`. */
describe('monitoring.token', () => {
  let broker: TestBroker;
  let url: string;

  beforeAll(async () => {
    broker = await TestBroker.start({ MONITORING_TOKEN: TOKEN });
    url = broker.get(MetricsServer).url;
  });
  afterAll(() => broker.close());

  it.each([
    ['no authorization header', {}],
    ['a wrong token', { authorization: 'Bearer scrape-0123456789abcdeX' }],
    ['the token cut short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}` }],
    ['the token without its scheme', { authorization: TOKEN }],
  ])('%s: 401 with a short text body and `www-authenticate: Bearer`, no metrics', async (_, headers: Record<string, string>) => {
    const response = await fetch(url, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('unauthorized\n');
  });

  it('the token as Prometheus sends it (`Authorization: Bearer <token>`): 200 and the metrics; the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await fetch(url, { headers: { authorization: `${scheme} ${TOKEN}` } });
      expect(response.status).toBe(200);
      expect(MetricsScrape.parse(await response.text()).families()).toContain('gophermq_messages_held');
    }
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(head.status).toBe(200);
  });

  it('refuses any other path to a client without the token too, and answers 404 to one with it', async () => {
    const other = url.replace('/metrics', '/other');
    expect((await fetch(other)).status).toBe(401);
    expect((await fetch(other, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

describe('monitoring.token empty (the default)', () => {
  it('serves /metrics without a token, as before', async () => {
    await TestBroker.using({}, async (broker) => {
      expect((await fetch(broker.get(MetricsServer).url)).status).toBe(200);
    });
  });
});
