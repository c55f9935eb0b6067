import { GopherMQ } from '@gophermq/client';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';

describe('GopherMQ client admin.*', () => {
  let broker: TestBroker;
  let mq: GopherMQ;
  beforeAll(async () => {
    broker = await TestBroker.start();
    mq = new GopherMQ({ url: broker.url });
  });
  afterAll(async () => {
    mq.close();
    await broker.close();
  });

  it('subjects: a prefix, pages of limit with their cursor; allSubjects walks every page', async () => {
    const prefix = `${uniqueSubject('admin')}.`;
    const subjects = ['a', 'b', 'c', 'd', 'e'].map((token) => prefix + token);
    for (const subject of subjects) await mq.subscribe(subject);
    await mq.publishBatch([{ subject: subjects[0], data: '12345' }]);
    const first = await mq.admin.subjects({ prefix, limit: 2 });
    expect(first.subjects.map((s) => s.subject)).toEqual(subjects.slice(0, 2));
    expect(first.subjects[0]).toEqual({ subject: subjects[0], subscribers: 1, pending: 1, pendingBytes: expect.any(Number), inFlight: 0, retained: 0 });
    expect(first.next).toEqual(expect.any(String));
    const second = await mq.admin.subjects({ prefix, limit: 2, cursor: first.next! });
    expect(second.subjects.map((s) => s.subject)).toEqual(subjects.slice(2, 4));
    const all: string[] = [];
    for await (const figures of mq.admin.allSubjects({ prefix, limit: 2 })) all.push(figures.subject);
    expect(all).toEqual(subjects);
    await expect(mq.admin.subjects({ limit: 0 })).rejects.toMatchObject({ status: 400, message: 'limit: must be an integer from 1 to 1000' });
  });

  it('subject, peek, purge, a forced unsubscribe and stats', async () => {
    const subject = uniqueSubject('admin');
    const sub = await mq.subscribe(subject, { name: 'ops', ackWaitMs: 30_000 });
    await mq.publishBatch(['x', 'y', 'z'].map((data) => ({ subject, data })));
    const detail = await mq.admin.subject(subject);
    expect(detail).toMatchObject({ subject, pending: 3, subscriberCount: 1, subscribers: [{ id: sub.id, name: 'ops', ackWaitMs: 30_000, pending: 3, inFlight: 0 }], next: null });
    await expect(mq.admin.subject(uniqueSubject('nobody'))).rejects.toMatchObject({ status: 404, message: 'subject not found' });
    // Peek takes nothing.
    expect((await mq.admin.peek(subject, { id: sub.id, max: 2 })).map((m) => m.data)).toEqual(['x', 'y']);
    expect((await mq.admin.peek(subject)).map((m) => m.data)).toEqual(['x', 'y', 'z']);
    expect((await mq.admin.subject(subject)).pending).toBe(3);
    expect(await mq.admin.purge(subject, { id: sub.id })).toBe(3);
    expect((await mq.fetch(sub)).data).toEqual([]);
    const stats = await mq.admin.stats();
    expect(stats).toMatchObject({ store: 'memory', instances: 1, version: expect.any(String) });
    await mq.admin.unsubscribe(sub);
    await expect(mq.fetch(sub)).rejects.toMatchObject({ status: 404, message: 'bad id' });
    await expect(mq.admin.unsubscribe(sub)).rejects.toMatchObject({ status: 404, message: 'bad id' });
  });

  it('with auth on: the token is sent; without one 401, with the admin token served', async () => {
    await TestBroker.using({ AUTH_ENABLE: 'true', AUTH_ADMIN__TOKEN: 'admin-secret-000001' }, async (guarded) => {
      const anonymous = new GopherMQ({ url: guarded.url });
      const admin = new GopherMQ({ url: guarded.url, token: 'admin-secret-000001' });
      await expect(anonymous.admin.stats()).rejects.toMatchObject({ status: 401 });
      await expect(admin.admin.stats()).resolves.toMatchObject({ store: 'memory' });
      anonymous.close();
      admin.close();
    });
  });
});
