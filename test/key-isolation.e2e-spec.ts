import { TestBroker, uniqueSubject } from './support/test-broker.js';

/**
 * A subject or an id is data: whatever characters a client puts in them, a request reaches only
 * its own subject's messages and subscribers, and answers what the memory store answers (under
 * `npm run test:redis` these run on the Redis store, whose keys are built from subjects).
 */
describe('subjects and ids are data, never structure', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  async function victimWithFiveMessages(): Promise<{ victim: string; id: string }> {
    const victim = uniqueSubject('victim');
    const id = await broker.subscribe(victim);
    for (let i = 0; i < 5; i++) expect((await broker.publish(victim, `m${i}`)).status).toBe(200);
    return { victim, id };
  }

  it('an unsubscribe with a crafted subject and id cannot delete another subject\'s messages', async () => {
    const { victim, id } = await victimWithFiveMessages();
    const attacker = await broker.post('/api/subscribe', { subject: `${victim}}:s:x` });
    expect(attacker.status).toBe(200);
    const answer = await broker.post('/api/unsubscribe', { subject: victim, id: 'x}:m' });
    expect(answer).toMatchObject({ status: 404, body: { message: 'bad id' } });
    expect((await broker.fetchMessages(victim, id)).body.data).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('a fetch with a crafted id cannot read another subject\'s messages', async () => {
    const { victim, id } = await victimWithFiveMessages();
    const attacker = await broker.post('/api/subscribe', { subject: `${victim}}:s:x` });
    const crafted = `x}:s:${attacker.body.id}`;
    expect(await broker.fetchMessages(victim, crafted)).toMatchObject({ status: 404, body: { message: 'bad id' } });
    expect(await broker.fetchMessages(`${victim}}:s:x`, attacker.body.id)).toMatchObject({ status: 200, body: { data: [] } });
    expect((await broker.fetchMessages(victim, id)).body.data).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it.each(['fetch', 'unsubscribe', 'ack', 'nack', 'extend'])('/api/%s answers 404 bad id for an id that no subscribe could have returned', async (route) => {
    const { victim } = await victimWithFiveMessages();
    const ackVictim = uniqueSubject('victim');
    await broker.post('/api/subscribe', { subject: ackVictim, ackWaitMs: 60_000 });
    for (const [subject, id] of [
      [victim, 'x}:m'],
      [victim, ''],
      [ackVictim, '*'],
      [ackVictim, '../../m'],
      [victim, `{${victim}}:s:00000000-0000-0000-0000-000000000000`],
      [victim, '00000000-0000-0000-0000-00000000000G'],
    ]) {
      const answer = await broker.post(`/api/${route}`, { subject, id, seqs: [1] });
      expect({ id, status: answer.status, body: answer.body }).toEqual({ id, status: 404, body: { message: 'bad id' } });
    }
  });

  it('keeps apart subjects that differ only in braces, colons, percent signs, tildes or Unicode', async () => {
    const base = uniqueSubject('k');
    const subjects = [
      `${base}.a{b}`, `${base}.a%7Bb%7D`, `${base}.a}b`, `${base}.a%7Db`, `${base}.a:b`, `${base}.a%3Ab`,
      `${base}.a%b`, `${base}.a%25b`, `${base}.~`, `${base}.%7E`, `${base}.ü`, `${base}.u\u0308`, `${base}.🙂`,
      `${base}.a}:m`, `${base}.{a}`, '~', '%7E', `${base}.}}{{`,
    ];
    const ids = new Map<string, string>();
    for (const subject of subjects) ids.set(subject, await broker.subscribe(subject));
    for (const subject of subjects) expect((await broker.publish(subject, `to ${subject}`)).status).toBe(200);
    for (const subject of subjects) {
      const answer = await broker.fetchMessages(subject, ids.get(subject)!);
      expect({ subject, data: answer.body.data }).toEqual({ subject, data: [`to ${subject}`] });
    }
    for (const subject of subjects) expect((await broker.post('/api/unsubscribe', { subject, id: ids.get(subject) })).status).toBe(200);
  });

  it('refuses a subject that is not well-formed Unicode (a lone surrogate) with 400 invalid subject, on every route', async () => {
    const subject = `${uniqueSubject('s')}.\ud800`;
    const id = '3b241101-e2bb-4255-8caf-4136c566a962';
    const requests: Array<[string, unknown]> = [
      ['/api/subscribe', { subject }],
      ['/api/publish', { subject, data: 'x' }],
      ['/api/publish/async', { subject, data: 'x' }],
      ['/api/fetch', { subject, id }],
      ['/api/unsubscribe', { subject, id }],
      ['/api/ack', { subject, id, seqs: [1] }],
      ['/api/nack', { subject, id, seqs: [1] }],
      ['/api/extend', { subject, id, seqs: [1] }],
    ];
    for (const [path, body] of requests) {
      const answer = await broker.post(path, body);
      expect({ path, status: answer.status, message: answer.body.message }).toEqual({ path, status: 400, message: 'invalid subject' });
    }
    const batch = await broker.post('/api/publish/batch', { messages: [{ subject, data: 'x' }] });
    expect(batch).toMatchObject({ status: 400, body: { message: 'messages[0].subject: invalid subject' } });
    const deadLetter = await broker.post('/api/subscribe', { subject: uniqueSubject(), ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: subject });
    expect(deadLetter).toMatchObject({ status: 400, body: { errors: ['deadLetterSubject: invalid subject'] } });
  });
});
