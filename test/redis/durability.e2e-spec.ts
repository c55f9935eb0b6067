import { BrokerProcess } from '../support/broker-process.js';
import { eventually } from '../support/eventually.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { sharedStore } from './shared-store.js';

// What the store keeps does not live in the broker process: killing or restarting one loses nothing.
afterEach(() => BrokerProcess.killAll());

describe('a broker killed with kill -9', () => {
  it('loses no publish it answered 200, and the other instance serves its subscribers', async () => {
    const store = sharedStore();
    const [a, b] = await Promise.all([BrokerProcess.start(store), BrokerProcess.start(store)]);
    const [subject, ackedSubject] = [uniqueSubject('killed'), uniqueSubject('killed.acked')];
    const { body: plain } = await a.post('/api/subscribe', { subject });
    const { body: acked } = await a.post('/api/subscribe', { subject: ackedSubject, ackWaitMs: 1000 });
    expect((await a.post('/api/publish', { subject, data: 'first' })).status).toBe(200);
    expect((await a.post('/api/publish', { subject: ackedSubject, data: 'in flight' })).status).toBe(200);
    const inFlight = await a.post('/api/fetch', { subject: ackedSubject, id: acked.id });
    expect(inFlight.body.messages).toEqual([{ seq: expect.any(Number), data: 'in flight', deliveries: 1 }]);

    // 200 publishes at once; A is killed as the 50th is answered, with the others in flight.
    const answered: string[] = [];
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(
      sent.map((data) =>
        a.post('/api/publish', { subject, data }).then(
          ({ status }) => {
            if (status === 200 && answered.push(data) === 50) a.child.kill('SIGKILL');
          },
          () => undefined, // cut by the kill
        ),
      ),
    );
    expect(await a.exited).toBe('SIGKILL');
    expect(answered.length).toBeGreaterThanOrEqual(50);

    const fetched = await b.post('/api/fetch', { subject, id: plain.id });
    expect(fetched.status).toBe(200);
    const data: string[] = fetched.body.data;
    expect(data[0]).toBe('first');
    expect(data).toEqual(expect.arrayContaining(answered));
    expect(new Set(data).size).toBe(data.length);
    expect(data.slice(1).every((one) => sent.includes(one))).toBe(true);

    expect((await b.post('/api/publish', { subject, data: 'after the kill' })).status).toBe(200);
    expect((await b.post('/api/fetch', { subject, id: plain.id })).body.data).toEqual(['after the kill']);
    // The message A had handed out is delivered again once its deadline passes, by B.
    let redelivered: any;
    await eventually(async () => {
      redelivered = (await b.post('/api/fetch', { subject: ackedSubject, id: acked.id })).body.messages;
      return redelivered?.length === 1;
    }, 10_000);
    expect(redelivered).toEqual([{ seq: inFlight.body.messages[0].seq, data: 'in flight', deliveries: 2 }]);
    expect(await b.post('/api/ack', { subject: ackedSubject, id: acked.id, seqs: [redelivered[0].seq] })).toEqual({ status: 200, body: { acked: 1 } });
    expect((await b.post('/api/unsubscribe', { subject, id: plain.id })).status).toBe(200);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});

describe('a broker restarted on the same Redis', () => {
  it('keeps its subscribers, their messages and what was in flight', async () => {
    const store = sharedStore();
    const subject = uniqueSubject('restarted');
    const first = await BrokerProcess.start(store);
    const { body: plain } = await first.post('/api/subscribe', { subject });
    const { body: acked } = await first.post('/api/subscribe', { subject, ackWaitMs: 60_000 });
    for (const data of ['one', 'two', 'three']) expect((await first.post('/api/publish', { subject, data })).status).toBe(200);
    const [inFlight] = (await first.post('/api/fetch', { subject, id: acked.id, max: 1 })).body.messages;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await BrokerProcess.start(store);
    expect((await second.post('/api/fetch', { subject, id: plain.id })).body).toEqual({ subject, id: plain.id, data: ['one', 'two', 'three'], remaining: 0 });
    expect((await second.post('/api/fetch', { subject, id: acked.id })).body.messages).toEqual([
      { seq: expect.any(Number), data: 'two', deliveries: 1 },
      { seq: expect.any(Number), data: 'three', deliveries: 1 },
    ]);
    expect((await second.post('/api/ack', { subject, id: acked.id, seqs: [inFlight.seq] })).body).toEqual({ acked: 1 });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('a broker that closes', () => {
  it('puts every accepted async publish into Redis first: another instance fetches them all', async () => {
    const store = sharedStore();
    const [a, b] = await Promise.all([TestBroker.start(store), TestBroker.start(store)]);
    let aClosed = false;
    try {
      const subject = uniqueSubject('async.close');
      const id = await b.subscribe(subject);
      const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => a.post('/api/publish/async', { subject, data: `${i}` })));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      await a.close();
      aClosed = true;
      const { body } = await b.fetchMessages(subject, id);
      expect([...body.data].sort()).toEqual(Array.from({ length: 300 }, (_, i) => `${i}`).sort());
    } finally {
      await Promise.all([aClosed || a.close(), b.close()]);
    }
  });
});
