import { FanOutRounds } from './fan-out-rounds.js';
import { StandingConsumers, type StandingConsumer } from './standing-consumers.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};

function subscribers(count: number): Map<string, number> {
  return new Map(Array.from({ length: count }, (_, i) => [`s${i}`, i]));
}

describe(FanOutRounds.name, () => {
  it('visits a small subject in the caller’s turn', () => {
    const visited: number[] = [];
    new FanOutRounds(10).wake('a', new Map([['a', subscribers(10)]]), (i) => visited.push(i));
    expect(visited).toHaveLength(10);
  });

  it('visits a large subject a slice per turn, the first at once, each once', async () => {
    const visited: number[] = [];
    const map = subscribers(35);
    const subjects = new Map([['a', map]]);
    new FanOutRounds(10).wake('a', subjects, (i) => visited.push(i));
    expect(visited).toHaveLength(10);
    await nextTurn();
    expect(visited).toHaveLength(20);
    await turns(5);
    expect(visited.sort((x, y) => x - y)).toEqual([...map.values()]);
  });

  it('a wake during a round reaches everyone after it, without starving the tail under a wake every turn', async () => {
    const map = subscribers(35);
    const subjects = new Map([['a', map]]);
    let visits: number[] = [];
    const sut = new FanOutRounds(10);
    sut.wake('a', subjects, (i) => visits.push(i));
    for (let turn = 0; turn < 12; turn++) {
      await nextTurn();
      if (turn === 1) {
        visits = []; // from this wake on, all 35 must be visited
        sut.wake('a', subjects, (i) => visits.push(i));
      } else if (turn > 1) {
        sut.wake('a', subjects, () => {});
      }
    }
    expect(new Set(visits).size).toBe(35);
  });

  it('owes a round to each wake that came during one, as a parked fetch is woken once per publish', async () => {
    const map = subscribers(25);
    const subjects = new Map([['a', map]]);
    const visits = new Map<number, number>();
    const sut = new FanOutRounds(10);
    const count = (i: number) => visits.set(i, (visits.get(i) ?? 0) + 1);
    sut.wake('a', subjects, count);
    sut.wake('a', subjects, count);
    sut.wake('a', subjects, count);
    await turns(12);
    expect([...visits.values()]).toEqual(Array(25).fill(3));
  });

  it('a visit that throws ends its round: the subject is woken again by the next wake', async () => {
    const subjects = new Map([['a', subscribers(25)]]);
    const sut = new FanOutRounds(10);
    expect(() =>
      sut.wake('a', subjects, () => {
        throw new Error('broken');
      }),
    ).toThrow('broken');
    const visited: number[] = [];
    sut.wake('a', subjects, (i) => visited.push(i));
    await turns(5);
    expect(visited).toHaveLength(25);
  });

  it('keeps subjects apart, and stops when the subject is gone', async () => {
    const visited: string[] = [];
    const subjects = new Map([['a', subscribers(25)], ['b', subscribers(5)]]);
    const sut = new FanOutRounds(10);
    sut.wake('a', subjects, () => visited.push('a'));
    sut.wake('b', subjects, () => visited.push('b'));
    expect(visited.filter((s) => s === 'b')).toHaveLength(5);
    sut.wake('a', subjects, () => visited.push('a')); // asks for another round of a
    subjects.get('a')!.clear();
    subjects.delete('a');
    await turns(5);
    expect(visited.filter((s) => s === 'a')).toHaveLength(10);
  });
});

describe('StandingConsumers.notify with many subscribers', () => {
  it('wakes one consumer of every subscriber, a slice per turn', async () => {
    const consumers = new StandingConsumers();
    const woken = new Set<string>();
    const count = 3000;
    for (let i = 0; i < count; i++) {
      const consumer: StandingConsumer = { subject: 'a', subscriberId: `s${i}`, wake: () => (woken.add(`s${i}`), true), end: () => {} };
      consumers.add(consumer);
    }
    consumers.notify('a');
    expect(woken.size).toBeGreaterThan(0);
    expect(woken.size).toBeLessThan(count);
    await turns(10);
    expect(woken.size).toBe(count);
  });
});
