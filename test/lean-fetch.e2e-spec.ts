import { BrokerService } from '../src/broker/broker.service.js';
import { TestBroker, uniqueSubject, type Answer } from './support/test-broker.js';

// On both stores (jest.redis.config.mjs runs it on Redis too).

const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 1000
`;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `lean: true` in POST /api/fetch: the seqs and delivery counts as arrays beside `data`, instead of `messages`. */
describe('the lean fetch answer (`lean` in POST /api/fetch)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await TestBroker.start({}, RULES);
  });
  afterAll(() => broker.close());

  const acknowledged = async (subject: string, settings: Record<string, unknown> = {}) => {
    const { status, body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, ...settings });
    expect(status).toBe(200);
    return body.id as string;
  };
  const publishAll = async (subject: string, data: string[]) => {
    const { status, body } = await broker.post('/api/publish/batch', { messages: data.map((one) => ({ subject, data: one })) });
    expect([status, body.results.every((result: { status?: string }) => result.status === 'ok')]).toEqual([200, true]);
  };
  const seqsOfObjects = (answer: Answer) => (answer.body.messages as Array<{ seq: number }>).map(({ seq }) => seq);

  it('answers `seqs` and `deliveries` parallel to `data`, and no `messages`; the same seqs the object form gives', async () => {
    const subject = uniqueSubject();
    const lean = await acknowledged(subject);
    const objects = await acknowledged(subject);
    await publishAll(subject, ['a', 'b', 'c']);

    const first = await broker.fetchMessages(subject, lean, { max: 2, lean: true });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(['subject', 'id', 'data', 'remaining', 'seqs', 'deliveries']);
    expect(first.body).toEqual({ subject, id: lean, data: ['a', 'b'], remaining: 1, seqs: first.body.seqs, deliveries: [1, 1] });
    const rest = await broker.fetchMessages(subject, lean, { lean: true });
    expect(rest.body).toMatchObject({ data: ['c'], remaining: 0, deliveries: [1] });

    const asObjects = await broker.fetchMessages(subject, objects);
    expect([...first.body.seqs, ...rest.body.seqs]).toEqual(seqsOfObjects(asObjects));
    expect((await broker.fetchMessages(subject, lean, { lean: true })).body).toEqual({ subject, id: lean, data: [], remaining: 0, seqs: [], deliveries: [] });
  });

  it('carries acks as any fetch does (`acked` before `seqs`), and counts a redelivery in `deliveries`', async () => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject);
    await publishAll(subject, ['a', 'b', 'c', 'd']);
    const first = await broker.fetchMessages(subject, id, { max: 2, lean: true });
    const [a, b] = first.body.seqs as number[];
    expect((await broker.post('/api/nack', { subject, id, seqs: [b] })).body).toEqual({ nacked: 1 });
    const second = await broker.fetchMessages(subject, id, { max: 2, ack: [a], lean: true });
    expect(JSON.stringify(second.body)).toBe(JSON.stringify({ subject, id, data: ['b', 'c'], remaining: 1, acked: 1, seqs: [b, second.body.seqs[1]], deliveries: [2, 1] }));
    const last = await broker.fetchMessages(subject, id, { ack: second.body.seqs, lean: true });
    expect(last.body).toMatchObject({ data: ['d'], acked: 2, deliveries: [1] });
    expect((await broker.post('/api/ack', { subject, id, seqs: last.body.seqs })).body).toEqual({ acked: 1 });
    expect(await broker.get(BrokerService).store.subjectFigures(subject)).toMatchObject({ inFlight: 0 });
  });

  it('changes nothing for an at-most-once subscriber of a subject without retention', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    await publishAll(subject, ['a', 'b']);
    const answer = await broker.fetchMessages(subject, id, { lean: true });
    expect(JSON.stringify(answer.body)).toBe(JSON.stringify({ subject, id, data: ['a', 'b'], remaining: 0 }));
  });

  it('on a retained subject answers `times` too, for an at-most-once subscriber without `deliveries`', async () => {
    const subject = uniqueSubject('kept');
    await broker.subscribe(subject); // so the publishes are kept for the late subscribers below
    await publishAll(subject, ['a', 'b']);
    const { body: plain } = await broker.post('/api/subscribe', { subject, deliver: 'all' });
    const replay = await broker.fetchMessages(subject, plain.id, { lean: true });
    expect(Object.keys(replay.body)).toEqual(['subject', 'id', 'data', 'remaining', 'seqs', 'times']);
    expect(replay.body).toMatchObject({ data: ['a', 'b'], remaining: 0 });
    for (const time of replay.body.times) expect(time).toMatch(ISO_MS);

    const id = await acknowledged(subject, { deliver: 'all' });
    const answer = await broker.fetchMessages(subject, id, { lean: true });
    expect(Object.keys(answer.body)).toEqual(['subject', 'id', 'data', 'remaining', 'seqs', 'deliveries', 'times']);
    expect(answer.body).toMatchObject({ data: ['a', 'b'], seqs: replay.body.seqs, deliveries: [1, 1], times: replay.body.times });
  });

  it('for a wildcard subscriber answers `subjects`: each message\'s subject', async () => {
    const base = uniqueSubject('w');
    const id = await acknowledged(`${base}.*`);
    expect((await broker.publish(`${base}.eu`, 'one')).status).toBe(200);
    expect((await broker.publish(`${base}.us`, 'two')).status).toBe(200);
    const data: string[] = [];
    const subjects: string[] = [];
    // On Redis a pattern's messages are forwarded by a step of their own: fetch until both came.
    for (let tries = 0; tries < 50 && data.length < 2; tries++) {
      const { status, body } = await broker.fetchMessages(`${base}.*`, id, { waitMs: 100, lean: true, ack: [] });
      expect(status).toBe(200);
      expect(body).not.toHaveProperty('messages');
      expect([body.seqs.length, body.deliveries.length, body.subjects.length]).toEqual([body.data.length, body.data.length, body.data.length]);
      data.push(...body.data);
      subjects.push(...body.subjects);
    }
    expect(data).toEqual(['one', 'two']);
    expect(subjects).toEqual([`${base}.eu`, `${base}.us`]);
  });

  it('for a wildcard subscriber replaying retained messages (`deliver: "all"`) answers `subjects` too', async () => {
    const base = `kept.${uniqueSubject('r')}`;
    expect((await broker.publish(`${base}.eu`, 'kept-one')).status).toBe(200);
    expect((await broker.publish(`${base}.us`, 'kept-two')).status).toBe(200);
    for (const ack of [false, true]) {
      const { status, body: sub } = await broker.post('/api/subscribe', { subject: `${base}.*`, deliver: 'all', ...(ack ? { ackWaitMs: 60_000 } : {}) });
      expect(status).toBe(200);
      const data: string[] = [];
      const subjects: string[] = [];
      // The replay is copied between turns (and forwarded on Redis): fetch until both came.
      for (let tries = 0; tries < 50 && data.length < 2; tries++) {
        const { status: fetched, body } = await broker.fetchMessages(`${base}.*`, sub.id, { waitMs: 100, lean: true });
        expect(fetched).toBe(200);
        expect(body).not.toHaveProperty('messages');
        expect([body.seqs.length, body.subjects.length]).toEqual([body.data.length, body.data.length]);
        data.push(...body.data);
        subjects.push(...body.subjects);
      }
      expect(data.sort()).toEqual(['kept-one', 'kept-two']);
      expect(subjects.sort()).toEqual([`${base}.eu`, `${base}.us`]);
    }
  });

  it('streams a large answer as the same JSON, arrays included', async () => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject);
    const data = ['a', 'b', 'c'].map((letter) => `${letter}"\u0001`.repeat(60_000));
    for (const message of data) expect((await broker.publish(subject, message)).status).toBe(200);
    const answer = await broker.fetchMessages(subject, id, { lean: true });
    expect(answer.headers.get('transfer-encoding')).toBe('chunked');
    expect(answer.body).toEqual({ subject, id, data, remaining: 0, seqs: [expect.any(Number), expect.any(Number), expect.any(Number)], deliveries: [1, 1, 1] });
    expect((await broker.post('/api/ack', { subject, id, seqs: answer.body.seqs })).body).toEqual({ acked: 3 });
  });

  it.each([
    ['a string', { lean: 'yes' }, 'lean: must be a boolean'],
    ['a number', { lean: 1 }, 'lean: must be a boolean'],
  ])('refuses %s with 400 naming the field', async (_case, extra, problem) => {
    const subject = uniqueSubject();
    const id = await acknowledged(subject);
    const answer = await broker.fetchMessages(subject, id, extra);
    expect(answer.status).toBe(400);
    expect([answer.body.message, ...(answer.body.errors ?? [])].join('\n')).toContain(problem);
  });

  it('is described in the OpenAPI document, request and answer', async () => {
    const response = await fetch(`${broker.url}/docs-json`);
    const { components } = (await response.json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(Object.keys(components.schemas.FetchRequestDto.properties)).toContain('lean');
    expect(Object.keys(components.schemas.FetchResponseDto.properties)).toEqual(expect.arrayContaining(['seqs', 'deliveries', 'times', 'subjects']));
  });
});

/** The byte budget counts each message as the lean answer carries it: more fit than in the object form, on both stores alike. */
describe('the lean fetch answer and broker.max-fetch-bytes', () => {
  it('takes as many messages as fit the lean answer, where the object form takes fewer', async () => {
    await TestBroker.using({ BROKER_MAX__FETCH__BYTES: '1024' }, async (broker) => {
      const subject = uniqueSubject();
      const { body } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
      const objects = (await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000 })).body;
      await broker.post('/api/publish/batch', { messages: Array.from({ length: 20 }, () => ({ subject, data: 'x'.repeat(40) })) });
      // A message of 40 characters: 43 in `data` (quotes, comma); at most 20 more for its seq and
      // deliveries in the lean form (63: 16 fit in 1024); 43 twice and 48 in the object form (134: 7).
      const lean = await broker.fetchMessages(subject, body.id, { lean: true });
      expect([lean.body.data.length, lean.body.remaining]).toEqual([16, 4]);
      const asObjects = await broker.fetchMessages(subject, objects.id);
      expect([asObjects.body.data.length, asObjects.body.remaining]).toEqual([7, 13]);
    });
  });
});
