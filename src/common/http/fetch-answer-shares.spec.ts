import { FetchAnswerShares, MIN_ANSWER_BYTES } from './fetch-answer-shares.js';

const MiB = 1024 * 1024;

describe(FetchAnswerShares.name, () => {
  const budget = 64 * MiB;
  const maxFetchBytes = 8 * MiB;
  let sut: FetchAnswerShares;
  beforeEach(() => (sut = new FetchAnswerShares(budget, maxFetchBytes)));

  /** A take that uses all of its budget. */
  function takeAll(client: object): number {
    const bytes = sut.reserve(client);
    sut.settle(client, bytes, bytes);
    return bytes;
  }

  it('gives a lone client at most broker.max-fetch-bytes a take, and half the budget in all', () => {
    const client = {};
    let taken = 0;
    while (sut.admits(client)) taken += takeAll(client);
    expect(taken).toBe(budget / 2);
    expect(sut.reserve({})).toBe(maxFetchBytes); // the other half is there for the next client
  });

  it('refuses clients holding their share while those holding nothing keep being served, with at least the floor', () => {
    const hogs = Array.from({ length: 10 }, () => ({}));
    for (const hog of hogs) takeAll(hog);
    expect(sut.heldChars).toBeLessThanOrEqual(budget + 2 * MIN_ANSWER_BYTES);
    expect(hogs.filter((hog) => sut.admits(hog)).length).toBeLessThanOrEqual(2); // the last two got the floor only
    const newcomer = {};
    expect(sut.admits(newcomer)).toBe(true);
    expect(sut.reserve(newcomer)).toBe(MIN_ANSWER_BYTES);
  });

  it('refuses everyone once answers hold twice the budget, and admits again as they are released', () => {
    const takes: Array<[object, number]> = [];
    for (let i = 0; i < 2 * (budget / MIN_ANSWER_BYTES) + 20; i++) {
      const client = {};
      if (sut.admits(client)) takes.push([client, takeAll(client)]);
    }
    expect(sut.heldChars).toBeGreaterThanOrEqual(2 * budget);
    expect(sut.heldChars).toBeLessThanOrEqual(2 * budget + MIN_ANSWER_BYTES);
    const newcomer = {};
    expect(sut.admits(newcomer)).toBe(false);
    for (const [client, chars] of takes.splice(0, 8)) sut.release(client, chars);
    expect(sut.admits(newcomer)).toBe(true);
  });

  it('counts takes in progress against the room of the next, not against admission', () => {
    const client = {};
    const first = sut.reserve(client);
    const second = sut.reserve(client);
    expect([first, second]).toEqual([maxFetchBytes, maxFetchBytes]);
    for (let i = 0; i < 2; i++) sut.reserve(client); // 32 MiB, its whole share, reserved
    expect(sut.admits(client)).toBe(true);
    expect(sut.reserve(client)).toBe(MIN_ANSWER_BYTES);
  });

  it('forgets a client once it holds nothing, and its share goes back to the others', () => {
    const [a, b] = [{}, {}];
    takeAll(a);
    const bytes = sut.reserve(b);
    sut.settle(b, bytes, 0); // took nothing
    sut.release(a, maxFetchBytes);
    expect(sut.heldChars).toBe(0);
    let taken = 0;
    while (sut.admits(a)) taken += takeAll(a);
    expect(taken).toBe(budget / 2);
  });
});
