import { AckState, Delivery } from './ack-state.js';

describe(AckState.name, () => {
  it('keeps the deadline queue bounded by the messages in flight, however often a client extends', () => {
    const sut = new AckState({ ackWaitMs: 43_200_000 }, 1);
    for (let seq = 1; seq <= 10; seq++) sut.deliver(seq, 1000);
    for (let round = 1; round <= 10_000; round++) sut.restart(1 + (round % 10), 1000 + round);
    expect(sut.deadlines.size).toBeLessThanOrEqual(2 * 10 + 64 + 1);
    // What is left is live and in deadline order.
    const seen: number[] = [];
    while (sut.deadlines.size > 0) {
      const [deadline, seq] = [sut.deadlines.frontKey, sut.deadlines.frontValue];
      sut.deadlines.shift();
      if (sut.state(seq) === Delivery.InFlight && sut.time(seq) === deadline) seen.push(deadline);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen).toHaveLength(10);
  });
});
