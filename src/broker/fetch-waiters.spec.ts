import { FetchWaiters, WAKE_CHUNK, type WaitOutcome } from './fetch-waiters.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Parks `count` waiters and records the outcomes as their fetches resume. */
function park(waiters: FetchWaiters, count: number, subscriberOf: (i: number) => string) {
  const resumed: WaitOutcome[] = [];
  const all = Array.from({ length: count }, (_, i) =>
    waiters.arm('a', subscriberOf(i)).until(10_000).then((outcome) => void resumed.push(outcome)),
  );
  return { resumed, all: Promise.all(all) };
}

describe(FetchWaiters.name, () => {
  it('resumes the fetches of a removed subscriber a bounded number per turn of the event loop', async () => {
    const sut = new FetchWaiters();
    const { resumed, all } = park(sut, 3 * WAKE_CHUNK, () => 'one');
    sut.wakeAll('a', 'one');
    expect(sut.size).toBe(0);
    await nextTurn();
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.length).toBeLessThanOrEqual(WAKE_CHUNK);
    await all;
    expect(resumed).toEqual(Array(3 * WAKE_CHUNK).fill('woken'));
  });

  it('resumes the fetches a publish wakes across many subscribers a bounded number per turn', async () => {
    const sut = new FetchWaiters();
    const { resumed, all } = park(sut, 3 * WAKE_CHUNK, (i) => `s${i}`);
    sut.notify('a');
    await nextTurn();
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.length).toBeLessThanOrEqual(WAKE_CHUNK);
    await all;
    expect(resumed).toHaveLength(3 * WAKE_CHUNK);
  });
});
