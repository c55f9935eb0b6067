/**
 * Who holds fetch answers, for fairness: a token (its Principal) when auth is on, else a connection.
 * Compared by identity.
 */
export type AnswerClient = object;

/** The smallest budget a fetch is given, however full the budget is: a fetch always takes something. */
export const MIN_ANSWER_BYTES = 64 * 1024;

interface Holding {
  /** Characters of answers taken and not yet written (or abandoned). */
  held: number;
  /** Budgets given to takes in progress, not yet settled. */
  reserved: number;
}

/**
 * Shares broker.max-fetch-bytes-in-flight (`budget`) fairly between the clients holding fetch
 * answers. Ten connections that each fetched 8 MiB and never read used to hold the whole budget
 * and every other fetch answered 503 for as long as they stayed open.
 *
 * - A client's share is budget / (clients holding answers + 1): the one extra share stays for a
 *   client that holds nothing yet, so one client (a token's many connections) never takes it all.
 * - A client already holding its share is refused (503) until it holds less; others are not.
 * - An admitted take gets a byte budget of the client's room in its share and in the budget left,
 *   but at least MIN_ANSWER_BYTES (and at most broker.max-fetch-bytes), so a client holding nothing
 *   is served even while others fill the budget.
 * - Past twice the budget every fetch is refused: the floor cannot grow the total without bound.
 *   Answers held stay below 2 × budget, plus, for each take in progress at that moment, its
 *   budget or its first message when that is larger (a fetch always takes one message).
 *
 * Budgets given to takes in progress count against the room of later ones (the store may answer
 * later: a Redis round trip), not against admission: they are not memory yet, and many consumers
 * fetching at once must not refuse one another.
 */
export class FetchAnswerShares {
  private readonly holdings = new Map<AnswerClient, Holding>();
  private held = 0;
  private reserved = 0;
  private readonly minAnswerBytes: number;

  constructor(
    /** broker.max-fetch-bytes-in-flight. */
    private readonly budget: number,
    /** broker.max-fetch-bytes: no take gets more. */
    private readonly maxFetchBytes: number,
  ) {
    this.minAnswerBytes = Math.min(MIN_ANSWER_BYTES, maxFetchBytes);
  }

  /** Characters held in answers over all clients. */
  get heldChars(): number {
    return this.held;
  }

  /** Whether `client` may fetch now: false when it holds its share already, or answers hold twice the budget. */
  admits(client: AnswerClient): boolean {
    if (this.held >= 2 * this.budget) return false;
    const holding = this.holdings.get(client);
    return holding === undefined || holding.held < this.shareOf(client);
  }

  /** The byte budget of `client`'s next take, held until settle(). */
  reserve(client: AnswerClient): number {
    const holding = this.holdingOf(client);
    const room = Math.min(this.shareOf(client) - holding.held - holding.reserved, this.budget - this.held - this.reserved);
    const bytes = Math.min(this.maxFetchBytes, Math.max(this.minAnswerBytes, room));
    holding.reserved += bytes;
    this.reserved += bytes;
    return bytes;
  }

  /** A take is over: its reservation goes, and what it took (`chars`, 0 for nothing) is held. */
  settle(client: AnswerClient, reservedBytes: number, chars: number): void {
    const holding = this.holdings.get(client)!;
    holding.reserved -= reservedBytes;
    this.reserved -= reservedBytes;
    holding.held += chars;
    this.held += chars;
    this.forgetIfEmpty(client, holding);
  }

  /** An answer was written, or its connection closed: its characters are no longer held. */
  release(client: AnswerClient, chars: number): void {
    const holding = this.holdings.get(client);
    if (holding === undefined) return;
    holding.held -= chars;
    this.held -= chars;
    this.forgetIfEmpty(client, holding);
  }

  private shareOf(client: AnswerClient): number {
    const others = this.holdings.size - (this.holdings.has(client) ? 1 : 0);
    return this.budget / (others + 2);
  }

  private holdingOf(client: AnswerClient): Holding {
    let holding = this.holdings.get(client);
    if (holding === undefined) this.holdings.set(client, (holding = { held: 0, reserved: 0 }));
    return holding;
  }

  private forgetIfEmpty(client: AnswerClient, holding: Holding): void {
    if (holding.held <= 0 && holding.reserved <= 0) this.holdings.delete(client);
  }
}
