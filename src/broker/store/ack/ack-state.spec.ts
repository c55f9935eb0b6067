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

  it('forgets the unsettled seqs below a dropped front: out of flight, out of the available heap, never delivered', () => {
    const sut = new AckState({ ackWaitMs: 1000 }, 1);
    for (let seq = 1; seq <= 6; seq++) sut.deliver(seq, 1000);
    sut.settle(2);
    sut.release(3); // available again
    sut.release(4, 5000); // delayed
    expect(sut.forgetBelow(5)).toBe(1); // 1 was in flight; 2 settled, 3 available, 4 delayed
    expect([sut.floor, sut.nextSeq, sut.inFlight, sut.available.size]).toEqual([5, 7, 2, 0]);
    expect([1, 2, 3, 4].map((seq) => sut.state(seq))).toEqual([Delivery.Settled, Delivery.Settled, Delivery.Settled, Delivery.Settled]);
    expect(sut.state(5)).toBe(Delivery.InFlight);
    // Past everything it had: it starts at the front, with nothing held.
    expect(sut.forgetBelow(10)).toBe(2);
    expect([sut.floor, sut.nextSeq, sut.inFlight]).toEqual([10, 10, 0]);
    expect(sut.deliver(10, 2000)).toBe(1);
  });
});
