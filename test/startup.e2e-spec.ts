import { bodyValidatorState } from '../src/common/validation/valid-body.decorator.js';
import { TestBroker } from './support/test-broker.js';

describe('start-up', () => {
  it("compiles every route's body check before serving, so no request of a running broker pays for it", async () => {
    // Compiled at a route's first request instead, the publish check held one event-loop turn
    // ~70 ms (the whole schema built and compiled by ajv), stalling every other client meanwhile.
    await TestBroker.using({}, async (broker) => {
      expect(bodyValidatorState()).toEqual({ declared: expect.any(Number), uncompiled: 0 });
      expect(bodyValidatorState().declared).toBeGreaterThanOrEqual(8);
      // And the first publish is answered as ever.
      const id = await broker.subscribe('first.request');
      expect((await broker.publish('first.request', 'x')).body).toEqual({ status: 'ok' });
      expect((await broker.fetchMessages('first.request', id)).body).toMatchObject({ data: ['x'] });
    });
  });
});
