import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerService } from '../src/broker/broker.service.js';
import { eventually } from './support/eventually.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

// On both stores (jest.redis.config.mjs runs it on Redis too).
const RULES = `
retention:
  - subjects: "kept.>"
    max-messages: 1000
  - subjects: "capped.old.>"
    max-messages: 3
    discard: old
  - subjects: "capped.new.>"
    max-messages: 3
    discard: new
  - subjects: "sized.>"
    max-bytes: 10
  - subjects: "aged.>"
    max-age: 1
`;

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('retained subjects and replay', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start({}, RULES);
  });
  afterAll(() => broker.close());

  const subscribe = (body: Record<string, unknown>) => broker.post('/api/subscribe', body);
  const publish = async (subject: string, ...data: string[]) => {
    for (const message of data) expect((await broker.publish(subject, message)).status).toBe(200);
  };
  const fetchAll = async (subject: string, id: string, extra: Record<string, unknown> = {}) => (await broker.fetchMessages(subject, id, extra)).body;
  const dropped = async () => (await broker.get(BrokerService).store.stats()).retentionDropped;

  it('accepts a publish with no subscriber, and a later subscriber with deliver "all" gets it, with seq and time', async () => {
    const subject = uniqueSubject('kept');
    const before = Date.now();
    await publish(subject, 'a', 'b');
    const { status, body } = await subscribe({ subject, deliver: 'all' });
    expect([status, body]).toEqual([200, { id: expect.any(String), subject, deliver: 'all' }]);
    const answer = await fetchAll(subject, body.id);
    expect(answer.data).toEqual(['a', 'b']);
    expect(answer.remaining).toBe(0);
    expect(answer.messages).toEqual([
      { seq: expect.any(Number), data: 'a', time: expect.stringMatching(ISO_MS) },
      { seq: answer.messages[0].seq + 1, data: 'b', time: expect.stringMatching(ISO_MS) },
    ]);
    const time = Date.parse(answer.messages[0].time);
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('keeps messages its subscribers have read: a second subscriber replays them', async () => {
    const subject = uniqueSubject('kept');
    const first = (await subscribe({ subject })).body.id;
    await publish(subject, 'x', 'y');
    expect((await fetchAll(subject, first)).data).toEqual(['x', 'y']);
    const second = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, second)).data).toEqual(['x', 'y']);
    // deliver "new", the default: only what comes later; its answers carry `messages` too.
    const third = (await subscribe({ subject })).body;
    expect(third).toEqual({ id: expect.any(String), subject });
    await publish(subject, 'z');
    expect(await fetchAll(subject, third.id)).toMatchObject({ data: ['z'], messages: [{ data: 'z', time: expect.stringMatching(ISO_MS) }] });
  });

  it('keeps the subject when its last subscriber leaves', async () => {
    const subject = uniqueSubject('kept');
    const id = (await subscribe({ subject })).body.id;
    await publish(subject, 'm');
    expect((await broker.post('/api/unsubscribe', { subject, id })).status).toBe(200);
    const later = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, later)).data).toEqual(['m']);
  });

  it('drops the oldest past max-messages with discard: old, counted, and a subscriber behind simply does not get them', async () => {
    const subject = uniqueSubject('capped.old');
    const behind = (await subscribe({ subject })).body.id;
    const countBefore = (await dropped()).messages;
    await publish(subject, '1', '2', '3', '4', '5');
    expect((await dropped()).messages).toBe(countBefore + 2);
    expect(await fetchAll(subject, behind)).toMatchObject({ data: ['3', '4', '5'], remaining: 0 });
    const replay = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, replay)).data).toEqual(['3', '4', '5']);
  });

  it('refuses a publish past max-messages with discard: new (429 broker overflow), keeping the oldest', async () => {
    const subject = uniqueSubject('capped.new');
    await publish(subject, '1', '2', '3');
    expect(await broker.publish(subject, '4')).toMatchObject({ status: 429, body: { message: 'broker overflow' } });
    const replay = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, replay)).data).toEqual(['1', '2', '3']);
  });

  it('drops the oldest past max-bytes, and refuses a message larger than max-bytes', async () => {
    const subject = uniqueSubject('sized');
    const countBefore = (await dropped()).bytes;
    await publish(subject, 'aaaa', 'bbbb', 'cccc');
    expect((await dropped()).bytes).toBe(countBefore + 1);
    expect(await broker.publish(subject, '12345678901')).toMatchObject({ status: 429, body: { message: 'broker overflow' } });
    const replay = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, replay)).data).toEqual(['bbbb', 'cccc']);
  });

  it('drops messages past max-age: a fetch never answers one older', async () => {
    const subject = uniqueSubject('aged');
    const id = (await subscribe({ subject })).body.id;
    await publish(subject, 'old');
    const ageBefore = (await dropped()).age;
    await sleep(1100);
    await publish(subject, 'fresh');
    expect((await fetchAll(subject, id)).data).toEqual(['fresh']);
    expect((await dropped()).age).toBeGreaterThan(ageBefore);
    const replay = (await subscribe({ subject, deliver: 'all' })).body.id;
    expect((await fetchAll(subject, replay)).data).toEqual(['fresh']);
  });

  it('drops messages past max-age by its sweep, with no request on the subject', async () => {
    const aged = await TestBroker.start({}, 'retention:\n  - subjects: "aged.>"\n    max-age: 1\n');
    try {
      for (const data of ['x', 'y', 'z']) expect((await aged.publish(uniqueSubject('aged'), data)).status).toBe(200);
      const stats = () => aged.get(BrokerService).store.stats();
      expect((await stats()).retained).toBe(3);
      await eventually(async () => (await stats()).retained === 0, 10_000);
      const after = await stats();
      expect([after.retentionDropped.age, after.messagesHeld, after.bytesHeld, after.subjects]).toEqual([3, 0, 0, 0]);
    } finally {
      await aged.close();
    }
  });

  it('starts where deliver says: last, fromSeq, fromTime', async () => {
    const subject = uniqueSubject('kept');
    await publish(subject, 'a', 'b');
    await sleep(5);
    const middle = new Date().toISOString();
    await sleep(5);
    await publish(subject, 'c', 'd');
    const all = await fetchAll(subject, (await subscribe({ subject, deliver: 'all' })).body.id);
    const seqOf = (data: string) => all.messages.find((message: { data: string }) => message.data === data).seq;

    const last = (await subscribe({ subject, deliver: 'last' })).body;
    expect(last.deliver).toBe('last');
    expect((await fetchAll(subject, last.id)).data).toEqual(['d']);

    const fromSeq = async (seq: number) => (await fetchAll(subject, (await subscribe({ subject, deliver: { fromSeq: seq } })).body.id)).data;
    expect(await fromSeq(seqOf('c'))).toEqual(['c', 'd']);
    expect(await fromSeq(1)).toEqual(['a', 'b', 'c', 'd']); // before the first retained: from the first
    expect(await fromSeq(seqOf('d') + 100)).toEqual([]); // past the end: new ones only

    const fromTime = async (time: string) => {
      const { body } = await subscribe({ subject, deliver: { fromTime: time } });
      expect(body.deliver).toEqual({ fromTime: time });
      return (await fetchAll(subject, body.id)).data;
    };
    expect(await fromTime(middle)).toEqual(['c', 'd']);
    expect(await fromTime('2000-01-01T00:00:00Z')).toEqual(['a', 'b', 'c', 'd']);
    expect(await fromTime(all.messages[1].time)).toEqual(['b', 'c', 'd']); // at the time: included
    expect(await fromTime('2999-01-01T00:00:00+02:00')).toEqual([]);
  });

  it('answers deliver "last" and "all" on an empty retained subject with the new messages', async () => {
    const subject = uniqueSubject('kept');
    const last = (await subscribe({ subject, deliver: 'last' })).body.id;
    await publish(subject, 'n');
    expect((await fetchAll(subject, last)).data).toEqual(['n']);
  });

  it('refuses deliver other than "new" on a subject without retention, and an invalid deliver naming the field', async () => {
    const plain = `plain.${uniqueSubject()}`;
    expect(await subscribe({ subject: plain, deliver: 'all' })).toMatchObject({ status: 400, body: { message: 'subject does not retain messages' } });
    expect(await subscribe({ subject: plain, deliver: { fromSeq: 1 } })).toMatchObject({ status: 400, body: { message: 'subject does not retain messages' } });
    expect((await subscribe({ subject: plain, deliver: 'new' })).body).toEqual({ id: expect.any(String), subject: plain, deliver: 'new' });
    // Without a rule, nothing changes: a publish with no subscriber is still 404, and answers carry no `messages`.
    const other = `plain.${uniqueSubject()}`;
    expect((await broker.publish(other, 'x')).status).toBe(404);
    const id = (await subscribe({ subject: other })).body.id;
    await publish(other, 'x');
    expect((await fetchAll(other, id)).messages).toBeUndefined();
    const subject = uniqueSubject('kept');
    for (const deliver of ['first', 7, null, [], {}, { fromSeq: 0 }, { fromSeq: 1.5 }, { fromSeq: '1' }, { fromTime: 'yesterday' }, { fromTime: '2026-12-03' }, { fromSeq: 1, fromTime: '2026-12-03T00:00:00Z' }]) {
      const { status, body } = await subscribe({ subject, deliver });
      expect([deliver, status]).toEqual([deliver, 400]);
      expect(body.message).toMatch(/^deliver: /);
    }
  });

  it('replays with acknowledged delivery: ack, nack, redelivery with deliveries and time', async () => {
    const subject = uniqueSubject('kept');
    await publish(subject, 'a', 'b', 'c');
    const id = (await subscribe({ subject, deliver: 'all', ackWaitMs: 1000, maxDeliveries: 2, deadLetterSubject: `${subject}.dead` })).body.id;
    const dead = (await subscribe({ subject: `${subject}.dead` })).body.id;
    const first = await fetchAll(subject, id, { max: 2 });
    expect(first.messages).toEqual([
      { seq: expect.any(Number), data: 'a', time: expect.stringMatching(ISO_MS), deliveries: 1 },
      { seq: expect.any(Number), data: 'b', time: expect.stringMatching(ISO_MS), deliveries: 1 },
    ]);
    const [a, b] = first.messages.map((message: { seq: number }) => message.seq);
    expect((await broker.post('/api/ack', { subject, id, seqs: [a] })).body).toMatchObject({ acked: 1 });
    expect((await broker.post('/api/nack', { subject, id, seqs: [b] })).status).toBe(200);
    const second = await fetchAll(subject, id);
    expect(second.messages.map((m: { data: string; deliveries: number }) => [m.data, m.deliveries])).toEqual([['b', 2], ['c', 1]]);
    // b delivered maxDeliveries times: a nack dead-letters it, as on any subject.
    await broker.post('/api/nack', { subject, id, seqs: [b] });
    expect((await fetchAll(`${subject}.dead`, dead)).data).toEqual(['b']);
    // The retained subject still has all three for a new replay.
    expect((await fetchAll(subject, (await subscribe({ subject, deliver: 'all' })).body.id)).data).toEqual(['a', 'b', 'c']);
  });

  it('forgets in-flight messages the rule dropped: not delivered again, an ack of them counts none, room comes back', async () => {
    const subject = uniqueSubject('capped.old');
    await publish(subject, '1', '2', '3');
    const id = (await subscribe({ subject, deliver: 'all', ackWaitMs: 1000, maxAckPending: 3 })).body.id;
    const taken = await fetchAll(subject, id);
    expect(taken.data).toEqual(['1', '2', '3']);
    const seqs = taken.messages.map((message: { seq: number }) => message.seq);
    await publish(subject, '4', '5'); // drops 1 and 2, both in flight
    expect((await broker.post('/api/ack', { subject, id, seqs: [seqs[0]] })).body).toMatchObject({ acked: 0 });
    // 3 still in flight, 1 and 2 forgotten: room for two under maxAckPending 3.
    expect((await fetchAll(subject, id)).data).toEqual(['4', '5']);
    // Past the deadline only 3, 4 and 5 come again; 1 and 2 are gone.
    const again: string[] = [];
    await eventually(async () => again.push(...(await fetchAll(subject, id)).data) >= 3);
    expect(again.sort()).toEqual(['3', '4', '5']);
    expect((await broker.get(BrokerService).store.stats()).inFlight).toBeGreaterThanOrEqual(3);
  });

  it('counts retained messages against broker.max-pending (429 broker overflow)', async () => {
    const small = await TestBroker.start({ BROKER_MAX__PENDING: '2' }, RULES);
    try {
      const subject = uniqueSubject('kept');
      expect((await small.publish(subject, '1')).status).toBe(200);
      expect((await small.publish(subject, '2')).status).toBe(200);
      expect(await small.publish(subject, '3')).toMatchObject({ status: 429, body: { message: 'broker overflow' } });
      // discard: old makes its own room: a full subject under the broker-wide limit still takes one.
      const capped = uniqueSubject('capped.old');
      expect(await small.publish(capped, '1')).toMatchObject({ status: 429 });
      const stats = await small.get(BrokerService).store.stats();
      expect([stats.retained, stats.messagesHeld]).toEqual([2, 2]);
    } finally {
      await small.close();
    }
  });

  it('ignores the per-subject limits on a retained subject (its rule applies)', async () => {
    const roomy = await TestBroker.start({ BROKER_MAX__PENDING__PER__SUBJECT: '2' }, RULES);
    try {
      const subject = uniqueSubject('kept');
      for (const data of ['1', '2', '3', '4']) expect((await roomy.publish(subject, data)).status).toBe(200);
      const plain = `plain.${uniqueSubject()}`;
      const none = await TestBroker.start({ BROKER_MAX__PENDING__PER__SUBJECT: '2' });
      try {
        await none.subscribe(plain);
        await none.publish(plain, '1');
        await none.publish(plain, '2');
        expect((await none.publish(plain, '3')).status).toBe(429);
      } finally {
        await none.close();
      }
    } finally {
      await roomy.close();
    }
  });

  it('compares deliver among a named subscriber\'s settings (409 for another)', async () => {
    const subject = uniqueSubject('kept');
    await publish(subject, 'a');
    const first = await subscribe({ subject, name: 'replayer', deliver: 'all' });
    expect(first.body).toEqual({ id: expect.any(String), subject, name: 'replayer', deliver: 'all' });
    expect((await subscribe({ subject, name: 'replayer', deliver: 'all' })).body.id).toBe(first.body.id);
    expect(await subscribe({ subject, name: 'replayer', deliver: 'last' })).toMatchObject({ status: 409, body: { message: 'subscriber exists with other settings' } });
    expect(await subscribe({ subject, name: 'replayer' })).toMatchObject({ status: 409 });
    const plain = await subscribe({ subject, name: 'fresh' });
    expect((await subscribe({ subject, name: 'fresh', deliver: 'new' })).body.id).toBe(plain.body.id);
  });

  it('shows the retained messages in the metrics', async () => {
    const subject = uniqueSubject('kept');
    await publish(subject, 'metric');
    const stats = await broker.get(BrokerService).store.stats();
    expect(stats.retained).toBeGreaterThan(0);
    expect(stats.retainedBytes).toBeGreaterThan(0);
  });
});

describe('retention rules in config.yaml', () => {
  const startFails = async (yaml: string) => {
    const started = await TestBroker.start({}, yaml).then(
      async (broker) => {
        await broker.close();
        return undefined;
      },
      (error: Error) => error.message,
    );
    expect(started).toBeDefined();
    return started!;
  };

  it.each([
    ['a bad pattern', 'retention:\n  - subjects: "orders.>.x"\n    max-age: 5', 'retention[0].subjects'],
    ['a negative number', 'retention:\n  - subjects: "a"\n    max-age: 5\n  - subjects: "b"\n    max-messages: -1', 'retention[1].max-messages'],
    ['an unknown key', 'retention:\n  - subjects: "a"\n    max-age: 5\n    maxage: 5', 'retention[0].maxage: unknown setting'],
    ['all three limits 0', 'retention:\n  - subjects: "a"\n  - subjects: "b"\n  - subjects: "c"\n    max-age: 0', 'retention[1]: max-age, max-messages and max-bytes are all 0'],
    ['a bad discard', 'retention:\n  - subjects: "a"\n    max-age: 5\n    discard: oldest', 'retention[0].discard'],
    ['not a list', 'retention:\n  subjects: "a"', 'retention: must be a list'],
  ])('stops the start on %s, naming the rule', async (_what, yaml, named) => {
    expect(await startFails(yaml)).toContain(named);
  });
});
