import { TestBroker, uniqueSubject } from './support/test-broker.js';

// On both stores (jest.redis.config.mjs runs it on Redis too).
describe('wildcard subscriptions', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start({ BROKER_MAX__PENDING__PER__SUBJECT: '5' });
  });
  afterAll(() => broker.close());

  const subscribe = async (body: Record<string, unknown>) => {
    const answer = await broker.post('/api/subscribe', body);
    expect(answer.status).toBe(200);
    return answer.body.id as string;
  };
  const publish = async (subject: string, ...data: string[]) => {
    for (const message of data) expect([subject, (await broker.publish(subject, message)).status]).toEqual([subject, 200]);
  };
  /** What a subscriber gets, until nothing is left (a Redis pattern's messages are forwarded by a step of their own). */
  const drain = async (subject: string, id: string, want: number, extra: Record<string, unknown> = {}) => {
    const messages: Array<{ subject: string; seq: number; data: string; deliveries?: number }> = [];
    const data: string[] = [];
    for (let tries = 0; tries < 50 && messages.length < want; tries++) {
      const { status, body } = await broker.fetchMessages(subject, id, { waitMs: 100, ...extra });
      expect(status).toBe(200);
      expect(body.messages).toBeDefined();
      messages.push(...body.messages);
      data.push(...body.data);
    }
    expect(data).toEqual(messages.map((message) => message.data));
    return messages;
  };

  it('a `*` subscriber gets what is published to every subject one token below, with each message\'s subject', async () => {
    const base = uniqueSubject('w');
    const id = await subscribe({ subject: `${base}.*` });
    await publish(`${base}.eu`, 'one');
    await publish(`${base}.us`, 'two');
    await broker.subscribe(`${base}.eu.late`); // one token too many: not matched
    await publish(`${base}.eu.late`, 'not for it');
    const messages = await drain(`${base}.*`, id, 2);
    expect(messages).toEqual([
      { subject: `${base}.eu`, seq: expect.any(Number), data: 'one' },
      { subject: `${base}.us`, seq: messages[0].seq + 1, data: 'two' },
    ]);
    const { body } = await broker.fetchMessages(`${base}.*`, id);
    expect(body).toEqual({ subject: `${base}.*`, id, data: [], remaining: 0, messages: [] });
  });

  it('wakes a long-polling pattern subscriber as soon as a matching subject is published to', async () => {
    const base = uniqueSubject('wild.wake');
    const id = await subscribe({ subject: `${base}.*` });
    const started = Date.now();
    const waiting = broker.fetchMessages(`${base}.*`, id, { waitMs: 10000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await publish(`${base}.eu`, 'wake up');
    const { status, body } = await waiting;
    expect({ status, data: body.data, subject: body.messages?.[0]?.subject }).toEqual({ status: 200, data: ['wake up'], subject: `${base}.eu` });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a `>` subscriber gets every subject below, at any depth, but not the prefix itself; only what is published after it subscribed', async () => {
    const base = uniqueSubject('w');
    await broker.subscribe(`${base}.a`);
    await publish(`${base}.a`, 'before');
    const id = await subscribe({ subject: `${base}.>` });
    await broker.subscribe(base);
    await publish(base, 'the prefix');
    await publish(`${base}.a`, 'a1');
    await publish(`${base}.b.c.d`, 'deep');
    await publish(`${base}.a`, 'a2');
    const messages = await drain(`${base}.>`, id, 3);
    // Messages of one subject in publish order.
    expect(messages.filter((m) => m.subject === `${base}.a`).map((m) => m.data)).toEqual(['a1', 'a2']);
    expect(messages.map((m) => m.data).sort()).toEqual(['a1', 'a2', 'deep']);
    // By seq, as stored.
    expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
  });

  it('fans out: every subscriber of every matching pattern and of the literal subject gets the message once', async () => {
    const base = uniqueSubject('w');
    const subject = `${base}.eu.created`;
    const literal = await broker.subscribe(subject);
    const star = await subscribe({ subject: `${base}.*.created` });
    const rest = await subscribe({ subject: `${base}.>` });
    const restToo = await subscribe({ subject: `${base}.>` });
    const all = await subscribe({ subject: '>' });
    await publish(subject, 'm');
    expect((await broker.fetchMessages(subject, literal)).body.data).toEqual(['m']);
    for (const [pattern, id] of [[`${base}.*.created`, star], [`${base}.>`, rest], [`${base}.>`, restToo]]) {
      expect((await drain(pattern, id, 1)).map((m) => [m.subject, m.data])).toEqual([[subject, 'm']]);
      expect((await broker.fetchMessages(pattern, id)).body.data).toEqual([]);
    }
    expect((await drain('>', all, 1)).map((m) => m.data)).toContain('m');
    await broker.post('/api/unsubscribe', { subject: '>', id: all });
  });

  it('a publish that only a pattern matches is accepted; once the pattern has no subscriber it is 404', async () => {
    const base = uniqueSubject('w');
    const id = await subscribe({ subject: `${base}.*` });
    expect((await broker.publish(`${base}.x`, 'm')).status).toBe(200);
    expect((await broker.post('/api/publish/batch', { messages: [{ subject: `${base}.y`, data: 'n' }, { subject: `${base}.y.z`, data: 'o' }] })).body).toEqual({
      results: [{ status: 'ok' }, { message: 'subscriber not found' }],
    });
    expect((await drain(`${base}.*`, id, 2)).map((m) => m.data)).toEqual(['m', 'n']);
    expect((await broker.post('/api/unsubscribe', { subject: `${base}.*`, id })).status).toBe(200);
    expect((await broker.publish(`${base}.x`, 'gone')).body).toEqual({ message: 'subscriber not found' });
  });

  it('refuses a publish subject with a wildcard token: 400 invalid subject, on every publish route', async () => {
    const base = uniqueSubject('w');
    await subscribe({ subject: `${base}.*` });
    for (const subject of [`${base}.*`, `${base}.>`, '>', '*', `*.${base}`, `${base}.>.x`]) {
      expect(await broker.publish(subject, 'm')).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
      expect(await broker.post('/api/publish/async', { subject, data: 'm' })).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
      expect((await broker.post('/api/publish/batch', { messages: [{ subject, data: 'm' }] })).body).toEqual({ results: [{ message: 'invalid subject' }] });
    }
    // A `*` or `>` inside a token is no wildcard: a subject like any other.
    await broker.subscribe(`${base}.a*b.c>`);
    expect((await broker.publish(`${base}.a*b.c>`, 'm')).status).toBe(200);
  });

  it('refuses a subscribe to `>` that is not the last token, and a pattern as dead-letter subject', async () => {
    const base = uniqueSubject('w');
    expect(await broker.post('/api/subscribe', { subject: `${base}.>.x` })).toMatchObject({ status: 400, body: { message: 'invalid subject' } });
    expect(await broker.post('/api/subscribe', { subject: `${base}.*`, ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: `${base}.>` })).toMatchObject({
      status: 400,
      body: { message: 'invalid subject' },
    });
    expect((await broker.post('/api/subscribe', { subject: `${base}.*`, deliver: 'new' })).status).toBe(200);
  });

  it('acknowledged: ack, nack and extend take the pattern as subject; a nacked message comes again with its subject', async () => {
    const base = uniqueSubject('w');
    const pattern = `${base}.*`;
    const id = await subscribe({ subject: pattern, ackWaitMs: 30_000, maxAckPending: 2 });
    await publish(`${base}.a`, 'a');
    await publish(`${base}.b`, 'b');
    await publish(`${base}.c`, 'c');
    // maxAckPending: two in flight at most.
    const first = await drain(pattern, id, 2, { max: 10 });
    expect(first).toEqual([
      { subject: `${base}.a`, seq: expect.any(Number), data: 'a', deliveries: 1 },
      { subject: `${base}.b`, seq: first[0].seq + 1, data: 'b', deliveries: 1 },
    ]);
    expect((await broker.fetchMessages(pattern, id)).body).toMatchObject({ data: [], remaining: 1 });
    expect((await broker.post('/api/extend', { subject: pattern, id, seqs: [first[0].seq] })).body).toEqual({ extended: 1 });
    expect((await broker.post('/api/ack', { subject: pattern, id, seqs: [first[0].seq] })).body).toEqual({ acked: 1 });
    expect((await broker.post('/api/nack', { subject: pattern, id, seqs: [first[1].seq] })).body).toEqual({ nacked: 1 });
    const again = (await broker.fetchMessages(pattern, id)).body.messages;
    expect(again).toEqual([
      { subject: `${base}.b`, seq: first[1].seq, data: 'b', deliveries: 2 },
      { subject: `${base}.c`, seq: first[1].seq + 1, data: 'c', deliveries: 1 },
    ]);
  });

  it('dead letters: a pattern subscriber\'s exhausted message goes to its dead-letter subject', async () => {
    const base = uniqueSubject('w');
    const pattern = `${base}.*`;
    const dead = await broker.subscribe(`${base}.dead.letters`);
    const id = await subscribe({ subject: pattern, ackWaitMs: 30_000, maxDeliveries: 1, deadLetterSubject: `${base}.dead.letters` });
    await publish(`${base}.a`, 'poison');
    const [message] = await drain(pattern, id, 1);
    expect((await broker.post('/api/nack', { subject: pattern, id, seqs: [message.seq] })).body).toEqual({ nacked: 1 });
    expect((await broker.fetchMessages(`${base}.dead.letters`, dead, { waitMs: 2000 })).body.data).toEqual(['poison']);
  });

  it('dead letters reach the pattern subscribers of their subject, as any publish does', async () => {
    const base = uniqueSubject('w');
    const watcher = await subscribe({ subject: `${base}.dead.*` });
    const id = await subscribe({ subject: `${base}.work`, ackWaitMs: 30_000, maxDeliveries: 1, deadLetterSubject: `${base}.dead.letters` });
    await publish(`${base}.work`, 'poison');
    const [message] = (await broker.fetchMessages(`${base}.work`, id)).body.messages;
    expect((await broker.post('/api/nack', { subject: `${base}.work`, id, seqs: [message.seq] })).body).toEqual({ nacked: 1 });
    expect((await drain(`${base}.dead.*`, watcher, 1)).map((m) => [m.subject, m.data])).toEqual([[`${base}.dead.letters`, 'poison']]);
  });

  it('names: a second subscribe with the pattern and name answers the same subscriber', async () => {
    const base = uniqueSubject('w');
    const first = await broker.post('/api/subscribe', { subject: `${base}.>`, name: 'audit' });
    const second = await broker.post('/api/subscribe', { subject: `${base}.>`, name: 'audit' });
    expect(second.body).toEqual({ id: first.body.id, subject: `${base}.>`, name: 'audit' });
    await publish(`${base}.x.y`, 'm');
    expect((await drain(`${base}.>`, first.body.id, 1)).map((m) => m.data)).toEqual(['m']);
  });

  it('limits: a message counts once against its own subject however many patterns match it; a stalled pattern subscriber holds back the subjects it matches', async () => {
    const base = uniqueSubject('w');
    const subject = `${base}.eu`;
    const own = await broker.subscribe(subject);
    const patterns = [`${base}.*`, `${base}.>`, '*.*.*.*.eu'];
    const ids = [];
    for (const pattern of patterns) ids.push(await subscribe({ subject: pattern }));
    // broker.max-pending-per-subject is 5: five messages fit, matched by three patterns.
    await publish(subject, '1', '2', '3', '4', '5');
    expect((await broker.fetchMessages(subject, own)).body.data).toEqual(['1', '2', '3', '4', '5']);
    for (let i = 0; i < patterns.length; i++) expect((await drain(patterns[i], ids[i], 5)).map((m) => m.data)).toEqual(['1', '2', '3', '4', '5']);
    // Nobody reads the `*` subscriber now: five more fill its log, the sixth is refused.
    const stalled = await subscribe({ subject: `${base}.*` });
    await publish(`${base}.other`, 'a', 'b', 'c', 'd', 'e');
    await drain(`${base}.*`, ids[0], 5);
    await drain(`${base}.>`, ids[1], 5);
    let refused;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const answer = await broker.publish(`${base}.other`, 'f');
      if (answer.status === 429) refused = answer.body;
      else expect(answer.status).toBe(200);
      await drain(`${base}.*`, ids[0], 0);
      await drain(`${base}.>`, ids[1], 0);
    }
    expect(refused).toEqual({ message: 'broker overflow' });
    // Once it reads, the subjects flow again.
    await drain(`${base}.*`, stalled, 5);
    let accepted = false;
    for (let i = 0; i < 50 && !accepted; i++) accepted = (await broker.publish(`${base}.other`, 'g')).status === 200;
    expect(accepted).toBe(true);
    for (let i = 0; i < patterns.length; i++) await broker.post('/api/unsubscribe', { subject: patterns[i], id: ids[i] });
    await broker.post('/api/unsubscribe', { subject: `${base}.*`, id: stalled });
  });
});
