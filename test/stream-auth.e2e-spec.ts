import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.loader.js';
import { StreamClient, StreamRefused } from './support/stream-client.js';
import { uniqueSubject } from './support/test-broker.js';

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const ORDERS = 'orders-stream-secret-01';
const BILLING = 'billing-stream-secret-1';
const CHROMIUM = '/usr/bin/chromium';

const TOKENS_YAML = `
auth:
  enable: true
  tokens:
    - name: orders
      sha256: ${sha256(ORDERS)}
      publish: ["orders.>"]
      subscribe: ["orders.>"]
    - name: billing
      sha256: ${sha256(BILLING)}
      publish: ["billing.>"]
      subscribe: ["billing.>"]
`;

/** The app with auth on and every log line (trace and up) kept, to check what it prints. */
async function startLogged(settings: Record<string, string> = {}): Promise<{ app: NestFastifyApplication; url: string; logs: string[]; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'gophermq-stream-auth-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(cwd, 'config.yaml'), TOKENS_YAML);
  const config = loadConfig({ cwd, env: { GOPHERMQ_MONITORING_PORT: '0', GOPHERMQ_BROKER_DRAIN__IDLE__GRACE: '0', ...settings } });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await createApp(config, { logger: pino({ level: 'trace' }, sink) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, logs, cwd };
}

describe('event streams with access control', () => {
  let app: NestFastifyApplication;
  let url: string;
  let logs: string[];
  let cwd: string;
  const clients: StreamClient[] = [];
  const post = async (token: string, path: string, body: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const open = async (query: string, headers: Record<string, string> = {}) => {
    const client = await StreamClient.open(`${url}/api/stream?${query}`, { headers });
    clients.push(client);
    return client;
  };
  const refused = (query: string, headers: Record<string, string> = {}) => open(query, headers).then(
    () => {
      throw new Error('opened');
    },
    (error: StreamRefused) => ({ status: error.status, body: error.body }),
  );

  beforeAll(async () => {
    ({ app, url, logs, cwd } = await startLogged());
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await app.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('takes the token as a Bearer header or as access_token, checks the subject and who owns the id', async () => {
    const subject = uniqueSubject('orders.stream');
    const { body: subscription } = await post(ORDERS, '/api/subscribe', { subject });
    const byHeader = await open(`subject=${subject}&id=${subscription.id}`, { authorization: `Bearer ${ORDERS}` });
    expect((await byHeader.waitForEvent('open')).data).toEqual({ id: subscription.id, subject });
    byHeader.close();
    const byQuery = await open(`subject=${subject}&id=${encodeURIComponent(subscription.id)}&access_token=${ORDERS}`);
    await byQuery.waitForEvent('open');
    await post(ORDERS, '/api/publish', { subject, data: 'through the query token' });
    expect((await byQuery.waitForMessages(1))[0].data).toBe('through the query token');

    expect(await refused(`subject=${subject}&id=${subscription.id}`)).toEqual({ status: 401, body: { message: 'unauthorized' } });
    expect(await refused(`subject=${subject}&access_token=not-a-token-of-ours`)).toEqual({ status: 401, body: { message: 'unauthorized' } });
    expect(await refused(`subject=${uniqueSubject('billing.stream')}&access_token=${ORDERS}`)).toEqual({ status: 403, body: { message: 'forbidden' } });
    // Billing may not read orders' subjects, nor an orders subscriber by its id.
    expect(await refused(`subject=${subject}&id=${subscription.id}&access_token=${BILLING}`)).toEqual({ status: 403, body: { message: 'forbidden' } });
    // access_token is for this route only: elsewhere the header is needed.
    const elsewhere = await fetch(`${url}/api/fetch?access_token=${ORDERS}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, id: subscription.id }) });
    expect(elsewhere.status).toBe(401);
  });

  it("gives an ephemeral subscriber's id tagged with the token, which acks and unsubscribes it as the token's own", async () => {
    const subject = uniqueSubject('orders.ephemeral');
    const client = await open(`subject=${subject}&access_token=${ORDERS}`);
    const { data: opened } = await client.waitForEvent('open');
    expect(opened.id).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{22}$/);
    expect(await post(BILLING, '/api/unsubscribe', { subject, id: opened.id })).toMatchObject({ status: 403 });
    expect(await post(ORDERS, '/api/unsubscribe', { subject, id: opened.id })).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await client.waitForEvent('close')).data).toEqual({ reason: 'unsubscribed' });
  });

  it('never logs the access_token, not even for refused requests (401, 429)', async () => {
    const secretLike = 'wrong-token-that-must-not-be-logged';
    // Brokers of their own: denials are logged at most every 10 s, the first one at once.
    const texts: string[] = [];
    for (const queries of [
      [`access_token=${secretLike}`],
      [1, 2, 3, 4].map(() => `access_token=${ORDERS}`),
    ]) {
      const logged = await startLogged({ GOPHERMQ_RATE__LIMIT_MAX: '3', GOPHERMQ_RATE__LIMIT_WINDOW__MS: '60000', GOPHERMQ_LOGGER_LEVEL: 'trace' });
      for (const query of queries) {
        await StreamClient.open(`${logged.url}/api/stream?subject=${uniqueSubject('orders.log')}&${query}`).then((client) => client.close(), () => {});
      }
      await logged.app.close();
      rmSync(logged.cwd, { recursive: true, force: true });
      texts.push(logged.logs.join(''));
    }
    const text = texts.join('') + logs.join('');
    expect(texts[0]).toMatch(/unauthorized for token \\"\(none\)\\": GET \/api\/stream/);
    expect(texts[1]).toMatch(/rate_limited for token \\"orders\\": GET \/api\/stream from/);
    expect(text).not.toContain(secretLike);
    expect(text).not.toContain(ORDERS);
  });
});

const describeInBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

describeInBrowser('event streams in a browser (EventSource, headless Chromium)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let cwd: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ app, url, cwd } = await startLogged());
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('receives messages through EventSource with the token as access_token, and the close event', async () => {
    const subject = uniqueSubject('orders.browser');
    const { body: subscription } = await fetch(`${url}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ORDERS}` },
      body: JSON.stringify({ subject }),
    }).then(async (response) => ({ body: (await response.json()) as any }));
    const page = await browser.newPage();
    // A page of the broker's own origin (its Swagger UI), so the stream is same-origin as a console's would be.
    await page.goto(`${url}/docs`);
    await page.evaluate(
      (query: string) => {
        const seen: unknown[] = [];
        (globalThis as unknown as { seen: unknown[] }).seen = seen;
        const source = new EventSource(`/api/stream?${query}`);
        source.addEventListener('open', (event) => seen.push({ type: 'open', data: JSON.parse((event as MessageEvent).data ?? 'null') }));
        source.addEventListener('message', (event) => seen.push({ type: 'message', id: event.lastEventId, data: JSON.parse(event.data) }));
        source.addEventListener('close', (event) => {
          seen.push({ type: 'close', data: JSON.parse((event as MessageEvent).data) });
          source.close();
        });
      },
      new URLSearchParams({ subject, id: subscription.id, access_token: ORDERS }).toString(),
    );
    const seen = () => page.evaluate(() => (globalThis as unknown as { seen: Array<{ type: string; id?: string; data: any }> }).seen);
    await page.waitForFunction(() => (globalThis as unknown as { seen: Array<{ type: string }> }).seen.some((event) => event.type === 'open' && event !== null), { timeout: 10_000 });
    for (const data of ['first', 'second']) {
      await fetch(`${url}/api/publish`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ORDERS}` }, body: JSON.stringify({ subject, data }) });
    }
    await page.waitForFunction(() => (globalThis as unknown as { seen: Array<{ type: string }> }).seen.filter((event) => event.type === 'message').length === 2, { timeout: 10_000 });
    await fetch(`${url}/api/unsubscribe`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ORDERS}` }, body: JSON.stringify({ subject, id: subscription.id }) });
    await page.waitForFunction(() => (globalThis as unknown as { seen: Array<{ type: string }> }).seen.some((event) => event.type === 'close'), { timeout: 10_000 });
    const events = await seen();
    const messages = events.filter((event) => event.type === 'message');
    expect(messages.map((event) => event.data.data)).toEqual(['first', 'second']);
    expect(messages[0]).toEqual({ type: 'message', id: String(messages[0].data.seq), data: { subject, seq: expect.any(Number), data: 'first' } });
    expect(events.find((event) => event.type === 'close')!.data).toEqual({ reason: 'unsubscribed' });
    await page.close();
  }, 60_000);
});
