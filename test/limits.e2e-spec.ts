import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { eventually } from './support/eventually.js';

const MiB = 1024 * 1024;

describe('fetch answers are bounded (broker.max-fetch-bytes)', () => {
  it('takes messages oldest first until the next would pass the budget; the rest stay pending, in order', async () => {
    await TestBroker.using({ BROKER_MAX__FETCH__BYTES: '4096' }, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const sent = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(1000));
      await broker.post('/api/publish/batch', { messages: sent.map((data) => ({ subject, data })) });
      const received: string[] = [];
      for (let answer; (answer = await broker.fetchMessages(subject, id)).body.data.length > 0; ) {
        const bytes = Buffer.byteLength(JSON.stringify(answer.body.data));
        expect(bytes).toBeLessThanOrEqual(4096);
        expect(answer.body.remaining).toBe(sent.length - received.length - answer.body.data.length);
        received.push(...answer.body.data);
      }
      expect(received).toEqual(sent);
    });
  });

  it('measures the encoded answer: control characters count six bytes each', async () => {
    // The case: 170 KB of control characters is about 1 MB once escaped.
    await TestBroker.using({}, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const message = '\u0001'.repeat(170_000);
      for (let i = 0; i < 20; i++) expect((await broker.publish(subject, message)).status).toBe(200);
      const response = await fetch(`${broker.url}/api/fetch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject, id }),
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8 * MiB + 1024);
      const { data, remaining } = JSON.parse(text);
      expect(data.length).toBe(8); // 8 × 1,020,003 bytes fit in 8 MiB, a ninth does not
      expect(remaining).toBe(12);
      expect(data.every((entry: string) => entry === message)).toBe(true);
    });
  });

  it('takes at most 10,000 messages, however small, with or without max', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING__PER__SUBJECT: '20000' }, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      for (let i = 0; i < 11; i++) {
        await broker.post('/api/publish/batch', { messages: Array.from({ length: 1000 }, () => ({ subject, data: '' })) });
      }
      expect((await broker.fetchMessages(subject, id)).body).toMatchObject({ remaining: 1000 });
      expect((await broker.fetchMessages(subject, id)).body).toMatchObject({ remaining: 0 });
    });
  });

  it('always delivers one message, even one larger than the budget', async () => {
    await TestBroker.using({ BROKER_MAX__FETCH__BYTES: '1024', BROKER_BODY__LIMIT__BYTES: '65536' }, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const big = 'x'.repeat(10_000);
      await broker.publish(subject, big);
      await broker.publish(subject, 'small');
      expect((await broker.fetchMessages(subject, id)).body).toMatchObject({ data: [big], remaining: 1 });
      expect((await broker.fetchMessages(subject, id)).body).toMatchObject({ data: ['small'], remaining: 0 });
    });
  });
});

describe('per-subject limits', () => {
  it('keep one backed-up subject from refusing publishes to the others', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING: '100', BROKER_MAX__PENDING__PER__SUBJECT: '10' }, async (broker) => {
      const [busy, quiet] = [uniqueSubject('busy'), uniqueSubject('quiet')];
      const busyId = await broker.subscribe(busy);
      const quietId = await broker.subscribe(quiet);
      for (let i = 0; i < 10; i++) expect((await broker.publish(busy, `${i}`)).status).toBe(200);
      const before = await MetricsScrape.of(broker.get(MetricsServer).url);
      const refused = await broker.publish(busy, 'one too many');
      expect(refused).toMatchObject({ status: 429, body: { message: 'broker overflow' } });
      expect((await broker.publish(quiet, 'still served')).status).toBe(200);
      const after = await MetricsScrape.of(broker.get(MetricsServer).url);
      const refusedBy = (reason: string) =>
        after.value('gophermq_messages_refused_total', { reason }) - before.value('gophermq_messages_refused_total', { reason });
      expect(refusedBy('subject_overflow')).toBe(1);
      expect(refusedBy('overflow')).toBe(0);
      expect((await broker.fetchMessages(busy, busyId, { max: 1 })).body.data).toEqual(['0']);
      expect((await broker.publish(busy, 'room again')).status).toBe(200);
      expect((await broker.fetchMessages(quiet, quietId)).body.data).toEqual(['still served']);
    });
  });

  it('bound the bytes of one subject (broker.max-pending-bytes-per-subject)', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING__BYTES__PER__SUBJECT: '10' }, async (broker) => {
      const [busy, quiet] = [uniqueSubject('busy'), uniqueSubject('quiet')];
      await broker.subscribe(busy);
      await broker.subscribe(quiet);
      expect((await broker.publish(busy, '12345678')).status).toBe(200);
      expect((await broker.publish(busy, '123')).status).toBe(429);
      expect((await broker.publish(quiet, '1234567890')).status).toBe(200);
    });
  });
});

describe('fetch answers in flight (broker.max-fetch-bytes-in-flight)', () => {
  const LAZY = 'lazy-secret-000001';
  const OTHER = 'other-secret-00001';
  const tokens = [
    ['lazy', LAZY],
    ['other', OTHER],
  ].flatMap(([name, secret]) => [`    - name: ${name}`, `      sha256: ${createHash('sha256').update(secret).digest('hex')}`, '      publish: [">"]', '      subscribe: [">"]']);
  const config = ['auth:', '  enable: true', '  tokens:', ...tokens].join('\n');

  it('refuses a client holding its share with 503, taking nothing, while other clients are served; serves it again once its answers are gone', async () => {
    const settings = {
      BROKER_MAX__FETCH__BYTES: String(64 * MiB),
      BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(64 * MiB),
      AUTH_SUBSCRIBER__ID__SECRET: 'a-secret-of-at-least-32-characters!', // required on the Redis store
    };
    const broker = await TestBroker.start(settings, config);
    try {
      const as = (token: string) => ({ headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
      const [big, other] = [uniqueSubject('big'), uniqueSubject('other')];
      const bigIds: string[] = [];
      for (let i = 0; i < 3; i++) bigIds.push((await broker.post('/api/subscribe', { subject: big }, as(LAZY))).body.id);
      const otherId = (await broker.post('/api/subscribe', { subject: other }, as(OTHER))).body.id;
      const message = 'x'.repeat(1_000_000);
      for (let i = 0; i < 40; i++) expect((await broker.post('/api/publish', { subject: big, data: message }, as(LAZY))).status).toBe(200);
      await broker.post('/api/publish', { subject: other, data: 'small' }, as(OTHER));

      // A client that fetches two backlogs of 40 MB, pipelined, and reads none of it. Alone, it may
      // hold half the budget (64 MiB): 33 messages, then one more (a fetch takes at least one).
      const { port } = new URL(broker.url);
      const lazy = connect(Number(port), '127.0.0.1');
      lazy.pause();
      for (const id of bigIds.slice(0, 2)) {
        const body = JSON.stringify({ subject: big, id });
        lazy.write(`POST /api/fetch HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${LAZY}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      }
      await once(lazy, 'readable');
      const delivered = async () => (await MetricsScrape.of(broker.get(MetricsServer).url)).value('gophermq_messages_delivered_total');
      await eventually(async () => (await delivered()) === 34);

      const refused = await broker.post('/api/fetch', { subject: big, id: bigIds[2], max: 1 }, as(LAZY));
      expect(refused).toMatchObject({ status: 503, body: { message: 'too many fetch answers in flight; retry later' } });
      expect((await broker.post('/api/fetch', { subject: other, id: otherId }, as(OTHER))).body.data).toEqual(['small']);
      lazy.destroy();
      let served: { status: number; body: any } | undefined;
      await eventually(async () => (served = await broker.post('/api/fetch', { subject: big, id: bigIds[2], max: 1 }, as(LAZY))).status === 200);
      expect(served!.body.data.length + served!.body.remaining).toBe(40); // the refused fetch took nothing
    } finally {
      await broker.close();
    }
  });
});
