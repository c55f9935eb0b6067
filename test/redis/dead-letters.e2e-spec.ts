import { TestBroker, uniqueSubject } from '../support/test-broker.js';

/** The worst client of dead-lettering: one nack naming the most seqs a request may carry, all exhausted. */
describe('a nack of 1000 messages past maxDeliveries on the Redis store', () => {
  it('hands every one to the dead-letter subject, in order, in one answer', async () => {
    await TestBroker.using({}, async (broker) => {
      const [subject, dead] = [uniqueSubject('exhausted'), uniqueSubject('exhausted.dlq')];
      const reader = await broker.subscribe(dead);
      const { body: consumer } = await broker.post('/api/subscribe', { subject, ackWaitMs: 60_000, maxDeliveries: 1, deadLetterSubject: dead });
      const data = Array.from({ length: 1000 }, (_, i) => `m${i}`);
      await broker.post('/api/publish/batch', { messages: data.map((text) => ({ subject, data: text })) });
      const { body: fetched } = await broker.fetchMessages(subject, consumer.id, { max: 1000 });
      const seqs = fetched.messages.map(({ seq }: { seq: number }) => seq);
      expect(seqs).toHaveLength(1000);

      expect(await broker.post('/api/nack', { subject, id: consumer.id, seqs })).toMatchObject({ status: 200, body: { nacked: 1000 } });
      expect((await broker.fetchMessages(dead, reader, { max: 1000 })).body.data).toEqual(data);
      expect((await broker.fetchMessages(subject, consumer.id)).body).toMatchObject({ data: [], remaining: 0 });
    });
  });
});
