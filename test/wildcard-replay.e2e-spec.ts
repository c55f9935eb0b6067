import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerService } from '../src/broker/broker.service.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

// On both stores (jest.redis.config.mjs runs it on Redis too).
const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 1000
  - subjects: "bulk.>"
    max-messages: 10000
`;

type Message = { subject: string; seq: number; data: string; deliveries?: number };

describe('wildcard subscriptions with deliver (replay of the retained subjects they match)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start({}, RULES);
  });
  afterAll(() => broker.close());

  const subscribe = async (body: Record<string, unknown>) => {
    const answer = await broker.post('/api/subscribe', body);
    expect([answer.status, answer.body.message]).toEqual([200, undefined]);
    return answer.body.id as string;
  };
  const publish = async (subject: string, ...data: string[]) => {
    for (const message of data) expect([subject, (await broker.publish(subject, message)).status]).toEqual([subject, 200]);
  };
  /** What a subscriber gets until `want` arrived, then whatever comes a little later (nothing, when no duplicate). */
  const drain = async (subject: string, id: string, want: number, extra: Record<string, unknown> = {}) => {
    const messages: Message[] = [];
    for (let tries = 0; tries < 100 && messages.length < want; tries++) {
      const { status, body } = await broker.fetchMessages(subject, id, { waitMs: 100, max: 1000, ...extra });
      expect(status).toBe(200);
      expect(body.data).toEqual(body.messages.map((message: Message) => message.data));
      messages.push(...body.messages);
    }
    const { body } = await broker.fetchMessages(subject, id, { waitMs: 200, max: 1000, ...extra });
    messages.push(...body.messages);
    return messages;
  };
  const bySubject = (messages: Message[]) => {
    const grouped: Record<string, string[]> = {};
    for (const { subject, data } of messages) (grouped[subject] ??= []).push(data);
    return grouped;
  };

  it('"all": every retained message of every matching subject, each subject in order, then what is published after', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.a`, 'a1', 'a2');
    await publish(`${base}.b`, 'b1');
    await publish(`${base}.a.deep`, 'not matched');
    const pattern = `${base}.*`;
    const id = await subscribe({ subject: pattern, deliver: 'all' });
    const replayed = await drain(pattern, id, 3);
    expect(bySubject(replayed)).toEqual({ [`${base}.a`]: ['a1', 'a2'], [`${base}.b`]: ['b1'] });
    expect(replayed.map((m) => m.seq)).toEqual([...replayed.map((m) => m.seq)].sort((x, y) => x - y));
    await publish(`${base}.a`, 'a3');
    await publish(`${base}.c`, 'c1');
    const live = await drain(pattern, id, 2);
    expect(bySubject(live)).toEqual({ [`${base}.a`]: ['a3'], [`${base}.c`]: ['c1'] });
    expect(live[0].seq).toBeGreaterThan(replayed[2].seq);
  });

  it('"all" finds a retained subject first published while another pattern subscriber read it', async () => {
    const base = uniqueSubject('kept');
    const pattern = `${base}.*`;
    const reader = await subscribe({ subject: pattern });
    await publish(`${base}.a`, 'a1');
    expect((await drain(pattern, reader, 1)).map((m) => m.data)).toEqual(['a1']);
    const id = await subscribe({ subject: pattern, deliver: 'all' });
    expect((await drain(pattern, id, 1)).map((m) => m.data)).toEqual(['a1']);
    const listed = await broker.get(BrokerService).store.listSubjects(`${base}.`, undefined, 10);
    expect(listed.items.map((item) => item.subject)).toContain(`${base}.a`);
  });

  it('"last": the newest retained message of each matching subject, then new ones', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.x.a`, 'a1', 'a2', 'a3');
    await publish(`${base}.y.b`, 'b1', 'b2');
    const pattern = `${base}.>`;
    const id = await subscribe({ subject: pattern, deliver: 'last' });
    expect(bySubject(await drain(pattern, id, 2))).toEqual({ [`${base}.x.a`]: ['a3'], [`${base}.y.b`]: ['b2'] });
    await publish(`${base}.x.a`, 'a4');
    expect(bySubject(await drain(pattern, id, 1))).toEqual({ [`${base}.x.a`]: ['a4'] });
  });

  it('{"fromTime"}: per matching subject, its first message published at or after it', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.a`, 'a-old');
    await publish(`${base}.b`, 'b-old');
    await sleep(30);
    const fromTime = new Date().toISOString();
    await sleep(30);
    await publish(`${base}.a`, 'a-new');
    const pattern = `${base}.*`;
    const id = await subscribe({ subject: pattern, deliver: { fromTime } });
    expect(bySubject(await drain(pattern, id, 1))).toEqual({ [`${base}.a`]: ['a-new'] });
    await publish(`${base}.b`, 'b-new');
    expect(bySubject(await drain(pattern, id, 1))).toEqual({ [`${base}.b`]: ['b-new'] });
  });

  it('{"fromSeq"} is refused on a pattern (400, naming the field): seqs are per subject', async () => {
    const base = uniqueSubject('kept');
    expect(await broker.post('/api/subscribe', { subject: `${base}.*`, deliver: { fromSeq: 1 } })).toMatchObject({
      status: 400,
      body: { message: 'deliver {"fromSeq": …} is not supported on a wildcard subject: seqs are per subject (use "all", "last" or {"fromTime": …})' },
    });
  });

  it('a replaying subscriber leaves the others of its pattern alone: a "new" one gets no replay, each gets what follows once', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.a`, 'old');
    const pattern = `${base}.*`;
    const fresh = await subscribe({ subject: pattern });
    const replaying = await subscribe({ subject: pattern, deliver: 'all' });
    const another = await subscribe({ subject: pattern, deliver: 'all' });
    expect(new Set([fresh, replaying, another]).size).toBe(3);
    await publish(`${base}.a`, 'new');
    expect((await drain(pattern, fresh, 1)).map((m) => m.data)).toEqual(['new']);
    expect((await drain(pattern, replaying, 2)).map((m) => m.data)).toEqual(['old', 'new']);
    expect((await drain(pattern, another, 2)).map((m) => m.data)).toEqual(['old', 'new']);
    // Unsubscribed, it is gone; the others go on.
    expect((await broker.post('/api/unsubscribe', { subject: pattern, id: replaying })).status).toBe(200);
    expect((await broker.fetchMessages(pattern, replaying)).status).toBe(404);
    await publish(`${base}.b`, 'after');
    expect((await drain(pattern, another, 1)).map((m) => m.data)).toEqual(['after']);
  });

  it('acknowledged: replayed messages are acked, nacked and delivered again with their subject', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.a`, 'a1', 'a2');
    const pattern = `${base}.*`;
    const id = await subscribe({ subject: pattern, deliver: 'all', ackWaitMs: 30_000 });
    const first = await drain(pattern, id, 2);
    expect(first).toEqual([
      { subject: `${base}.a`, seq: expect.any(Number), data: 'a1', deliveries: 1 },
      { subject: `${base}.a`, seq: first[0].seq + 1, data: 'a2', deliveries: 1 },
    ]);
    expect((await broker.post('/api/ack', { subject: pattern, id, seqs: [first[0].seq] })).body).toEqual({ acked: 1 });
    expect((await broker.post('/api/nack', { subject: pattern, id, seqs: [first[1].seq] })).body).toEqual({ nacked: 1 });
    expect((await broker.fetchMessages(pattern, id)).body.messages).toEqual([{ subject: `${base}.a`, seq: first[1].seq, data: 'a2', deliveries: 2 }]);
    expect((await broker.post('/api/extend', { subject: pattern, id, seqs: [first[1].seq] })).body).toEqual({ extended: 1 });
  });

  it('names: the same name and settings answer the same subscriber; other settings (deliver included) are 409', async () => {
    const base = uniqueSubject('kept');
    await publish(`${base}.a`, 'm');
    const pattern = `${base}.*`;
    const first = await broker.post('/api/subscribe', { subject: pattern, name: 'audit', deliver: 'all' });
    expect(first.status).toBe(200);
    const again = await broker.post('/api/subscribe', { subject: pattern, name: 'audit', deliver: 'all' });
    expect(again.body).toEqual(first.body);
    for (const other of [{ deliver: 'last' }, { deliver: 'new' }, {}, { deliver: 'all', ackWaitMs: 1000 }]) {
      expect(await broker.post('/api/subscribe', { subject: pattern, name: 'audit', ...other })).toMatchObject({ status: 409 });
    }
    // And a name first taken without replay refuses one with it.
    await subscribe({ subject: pattern, name: 'plain' });
    expect(await broker.post('/api/subscribe', { subject: pattern, name: 'plain', deliver: 'all' })).toMatchObject({ status: 409 });
    expect((await drain(pattern, first.body.id, 1)).map((m) => m.data)).toEqual(['m']);
  });

  it('a large replay over several subjects arrives whole, each subject in order, with publishes during it after its retained ones', async () => {
    const base = uniqueSubject('bulk');
    const batch = (subject: string, from: number, count: number) =>
      broker.post('/api/publish/batch', { messages: Array.from({ length: count }, (_, i) => ({ subject, data: `${from + i}` })) });
    for (const subject of ['a', 'b', 'c']) for (let i = 0; i < 3000; i += 500) expect((await batch(`${base}.${subject}`, i, 500)).status).toBe(200);
    const pattern = `${base}.*`;
    const id = await subscribe({ subject: pattern, deliver: 'all' });
    // Published while the replay is under way: after each subject's retained ones.
    for (const subject of ['a', 'b', 'c']) expect((await batch(`${base}.${subject}`, 3000, 10)).status).toBe(200);
    const got = await drain(pattern, id, 3 * 3010);
    const expected = Array.from({ length: 3010 }, (_, i) => `${i}`);
    expect(bySubject(got)).toEqual({ [`${base}.a`]: expected, [`${base}.b`]: expected, [`${base}.c`]: expected });
  }, 60_000);
});
