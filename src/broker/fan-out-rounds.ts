/**
 * How many subscribers of one subject a publish wakes per turn of the event loop. A wake only
 * queues (a stream's run, a parked fetch's answer), about a microsecond each, but a subject with
 * 10,000 subscribers made one turn of 15 to 30 ms of them, during which no other request was served.
 */
export const WAKES_PER_TURN = 512;

interface Round<V> {
  bySubject: ReadonlyMap<string, Map<string, V>>;
  visit: (value: V) => void;
  iterator: Iterator<V>;
  /**
   * Wakes that came during this round, each owing a round of its own (capped): a subscriber with
   * several parked fetches has one of them woken per publish, as when wakes were not sliced.
   */
  owed: number;
}

/**
 * At most this many rounds owed to one subject: past it, a subscriber with more parked fetches than
 * that, on a subject past WAKES_PER_TURN subscribers, gets some of them answered by the next
 * publish or their `waitMs` rather than by this one.
 */
const MAX_OWED_ROUNDS = 100;

/**
 * Wakes the subscribers of a subject in slices: the first slice in the caller's turn, the rest in
 * the turns after. A wake that arrives while a subject's round is under way does not start over
 * (the tail of a busy subject would wait forever): it is owed a round after this one, which
 * reaches everyone visited before it. Waking a stream is idempotent; a parked fetch is woken once
 * per round, as once per publish before. No state per message: one round per subject at a time.
 */
export class FanOutRounds {
  private readonly rounds = new Map<string, Round<unknown>>();

  constructor(private readonly perTurn = WAKES_PER_TURN) {}

  /** `visit` each subscriber of `subject` in `bySubject` (read again for a further round) once, from now on. */
  wake<V>(subject: string, bySubject: ReadonlyMap<string, Map<string, V>>, visit: (value: V) => void): void {
    const map = bySubject.get(subject);
    if (!map) return;
    if (this.rounds.size > 0) {
      const running = this.rounds.get(subject);
      if (running) {
        running.owed = Math.min(running.owed + 1, MAX_OWED_ROUNDS);
        return;
      }
    }
    if (map.size <= this.perTurn) {
      for (const value of map.values()) visit(value);
      return;
    }
    const round: Round<V> = { bySubject, visit, iterator: map.values(), owed: 0 };
    this.rounds.set(subject, round as Round<unknown>);
    this.step(subject, round);
  }

  private step<V>(subject: string, round: Round<V>): void {
    try {
      for (let visited = 0; visited < this.perTurn; visited++) {
        const next = round.iterator.next();
        if (!next.done) {
          round.visit(next.value);
          continue;
        }
        const map = round.owed > 0 ? round.bySubject.get(subject) : undefined;
        if (!map) {
          this.rounds.delete(subject);
          return;
        }
        round.owed -= 1;
        round.iterator = map.values();
      }
    } catch (error) {
      // A round that cannot go on must not stay registered: every later wake would only be owed to it.
      this.rounds.delete(subject);
      throw error;
    }
    setImmediate(() => this.step(subject, round));
  }
}
