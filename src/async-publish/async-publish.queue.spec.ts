import { EventEmitter2 } from '@nestjs/event-emitter';
import { BrokerError, BrokerErrorCode } from '../broker/broker.error.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { ASYNC_PUBLISH_EVENT, type AsyncPublishEvent } from './async-publish.events.js';
import { AsyncPublishQueue } from './async-publish.queue.js';

function makeQueue(capacity: number) {
  const config = new GopherMqConfig();
  config.broker.asyncQueueCapacity = capacity;
  const events = new EventEmitter2();
  const received: AsyncPublishEvent[] = [];
  events.on(ASYNC_PUBLISH_EVENT, (event: AsyncPublishEvent) => received.push(event));
  return { sut: new AsyncPublishQueue(config, events), received };
}

describe(AsyncPublishQueue.name, () => {
  it('hands each accepted message to the worker event', () => {
    const { sut, received } = makeQueue(10);
    sut.accept({ subject: 'a', data: '1' });
    expect(received).toEqual([{ subject: 'a', data: '1' }]);
    expect(sut.depth).toBe(1);
  });

  it('refuses with AsyncQueueFull at capacity, and emits nothing for the refused message', () => {
    const { sut, received } = makeQueue(2);
    sut.accept({ subject: 'a', data: '1' });
    sut.accept({ subject: 'a', data: '2' });
    let refused: unknown;
    try {
      sut.accept({ subject: 'a', data: '3' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(BrokerError);
    expect((refused as BrokerError).code).toBe(BrokerErrorCode.AsyncQueueFull);
    expect(received).toHaveLength(2);
    sut.settle();
    expect(() => sut.accept({ subject: 'a', data: '3' })).not.toThrow();
  });

  it('drains only once every accepted message is settled', async () => {
    const { sut } = makeQueue(10);
    sut.accept({ subject: 'a', data: '1' });
    sut.accept({ subject: 'a', data: '2' });
    let drained = false;
    const draining = sut.onApplicationShutdown().then(() => (drained = true));
    sut.settle();
    await Promise.resolve();
    expect(drained).toBe(false);
    sut.settle();
    await draining;
    expect(drained).toBe(true);
  });
});
