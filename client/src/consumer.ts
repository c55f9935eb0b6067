import type { GopherMQ } from './client.js';
import { GopherMQConnectionError, GopherMQError } from './errors.js';
import { FetchSource, StreamSource, type ConsumedMessage, type MessageSource } from './message-source.js';
import { backoffMs, sleep } from './retry.js';
import { MAX_SEQS_PER_REQUEST } from './routes.js';
import type { SubscribeOptions, Subscription } from './types.js';

/** A subscriber to consume: one subscribe answered, or a subject and the options to subscribe with. */
export type ConsumeTarget = Subscription | ({ subject: string; id?: undefined } & SubscribeOptions);

/** Handles one message; resolving acks it (acknowledged subscribers), throwing nacks it with a delay. */
export type MessageHandler = (message: ConsumedMessage, context: HandlerContext) => unknown;

export interface HandlerContext {
  /** Aborted when `stop()` stops waiting for this handler (`stopTimeoutMs`); the message is nacked then. */
  signal: AbortSignal;
}

export interface ConsumeOptions {
  /** Handlers running at once; default 1. */
  concurrency?: number;
  /**
   * Messages fetched ahead of the handlers, beyond `concurrency`; kept in flight (and extended) while
   * they wait, nacked at stop. Default 500 for an acknowledged subscriber, 0 for an at-most-once one
   * (whose fetched messages are gone: a prefetched one would be lost at stop).
   */
  prefetch?: number;
  /** How long one poll waits at the broker for a message; default 20,000 (at most 30,000). */
  waitMs?: number;
  /** Handle this many messages, then stop: never fetches more than are left. */
  limit?: number;
  /** The delay of the nack after a handler threw; default 1 s doubling with each delivery, at most 60 s. */
  nackDelayMs?: (message: ConsumedMessage) => number;
  /** How long `stop()` lets running handlers finish before it nacks their messages; default 10,000. */
  stopTimeoutMs?: number;
  /** Stops the consumer when aborted, as `stop()`. */
  signal?: AbortSignal;
  /** Told of every handler that threw and every ack, nack or extend that failed; the consumer goes on. */
  onError?: (error: unknown, message?: ConsumedMessage) => void;
  /**
   * Polls in flight at once while a backlog is pending (the last answer said more are): their round
   * trips overlap. One waits at the broker when none is pending. Default 4.
   */
  polls?: number;
  /**
   * Read the subscriber's event stream (GET /api/stream) instead of polling: one connection, the
   * broker writing as room frees (its `maxInFlight` is this consumer's room). On an acknowledged
   * subscriber; messages the broker wrote and the consumer had not read at stop are redelivered
   * after their ackWaitMs (on an at-most-once one, they are lost). Default false.
   */
  stream?: boolean;
  /** Where messages come from; default long-polled fetches (or the stream, with `stream`). */
  source?: MessageSource;
}

const DEFAULT_WAIT_MS = 20_000;
const DEFAULT_POLLS = 4;
/**
 * Room enough for the round trips of several polls and acks to overlap (docs/decisions.md: 100
 * measured 0.48 of a raw fetch+ack loop, 500 above 1); within a subscriber's default maxAckPending
 * (1000), so a second consumer of the same subscriber still gets messages.
 */
const DEFAULT_ACKNOWLEDGED_PREFETCH = 500;
/** Time for the broker to hear that an aborted poll's connection closed (see shutDown). */
const AFTER_POLL_CLOSED_MS = 100;

/** 1 s, 2 s, 4 s, … by delivery count, at most 60 s. */
export function defaultNackDelayMs(message: ConsumedMessage): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(16, (message.deliveries ?? 1) - 1));
}

interface Held {
  message: ConsumedMessage;
  /** The subscriber that delivered it; after a re-subscribe the old one's seqs are not settled. */
  subscription: Subscription;
  /** When its deadline last started (fetched or extended), in ms. */
  since: number;
  context?: LazyContext;
}

/**
 * A handler's context whose AbortController is made only when the handler reads its signal: one per
 * message costs more than a small handler (Node's AbortSignal is a heavy object).
 */
class LazyContext implements HandlerContext {
  private controller: AbortController | undefined;
  private abandoned = false;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abandoned) this.controller.abort(new Error('consumer stopped'));
    }
    return this.controller.signal;
  }

  abandon(): void {
    this.abandoned = true;
    this.controller?.abort(new Error('consumer stopped'));
  }
}

/**
 * Runs a handler for every message of a subscriber, up to `concurrency` at once (BullMQ's Worker
 * and sqs-consumer are the models): acks on success (batched), nacks with a growing delay on a
 * throw, extends the deadline of what it holds past half of ackWaitMs, re-subscribes a named
 * subscriber after a 404, and stops promptly. `done` settles when it has stopped.
 */
export class Consumer {
  /** Resolves once stopped (by `stop()`, the signal, or `limit`); rejects with the error that ended it. */
  readonly done: Promise<void>;
  private subscription: Subscription | undefined;
  private readonly createdAnonymous: boolean;
  private readonly source: MessageSource;
  private readonly concurrency: number;
  private readonly waitMs: number;
  private readonly stopTimeoutMs: number;
  private readonly buffer: Held[] = [];
  private readonly running = new Set<Held>();
  private readonly poll = new AbortController();
  private dispatching = false;
  private taken = 0;
  /** Polls in flight, and the room they reserved (their `max`). */
  private polls = 0;
  private reserved = 0;
  /** Polls in flight that do not wait at the broker: each answers within a round trip, and the next poll carries the acks. */
  private quickPolls = 0;
  /** The last answer said more messages are pending. */
  private backlog = false;
  private readonly maxPolls: number;
  /** A poll's failure, handled by the loop once no poll is in flight. */
  private pollFailure: { error: unknown } | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Resolvers of those waiting for a handler to end or the consumer to stop. */
  private waiters: Array<() => void> = [];
  /** Acks not sent yet: they go with the next poll (a source that `carriesAcks`), else in an ack request. */
  private acks: Array<{ subscription: Subscription; seq: number }> = [];
  private flushing: Promise<void> | undefined;
  private ackCheck: ReturnType<typeof setTimeout> | undefined;
  /** The source carries acks, and its broker took them (an answer without `acked` is a broker that ignores `ack`). */
  private carryAcks: boolean;
  private extendTimer: ReturnType<typeof setInterval> | undefined;
  private settleDone!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly client: GopherMQ,
    private readonly target: ConsumeTarget,
    private readonly handler: MessageHandler,
    private readonly options: ConsumeOptions,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.source = options.source ?? (options.stream ? new StreamSource(client) : new FetchSource(client, this.waitMs));
    this.maxPolls = this.source.parallel === false ? 1 : Math.max(1, options.polls ?? DEFAULT_POLLS);
    this.carryAcks = this.source.carriesAcks === true;
    this.createdAnonymous = target.id === undefined && target.name === undefined;
    this.done = new Promise<void>((resolve, reject) => (this.settleDone = { resolve, reject }));
    // Whoever never awaits `done` still hears of a failure through onError, not an unhandled rejection.
    this.done.catch(() => {});
    if (options.signal?.aborted) void this.stop();
    else options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
    void this.run();
  }

  /** The subscriber it consumes (after its first subscribe, and the latest after a re-subscribe). */
  get subscriber(): Subscription | undefined {
    return this.subscription;
  }

  /**
   * Aborts the waiting poll at once, nacks the messages fetched but not started, lets running
   * handlers finish for up to `stopTimeoutMs` (then aborts their signal and nacks their messages),
   * sends the last acks, and unsubscribes a subscriber it created without a name.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown().then(
      () => this.settleDone.resolve(),
      (error) => this.settleDone.reject(error),
    );
    return this.stopped.then(() => this.done);
  }

  private get acknowledged(): boolean {
    return this.subscription?.ackWaitMs !== undefined;
  }

  private get capacity(): number {
    return this.concurrency + (this.options.prefetch ?? (this.acknowledged ? DEFAULT_ACKNOWLEDGED_PREFETCH : 0));
  }

  private async run(): Promise<void> {
    try {
      await this.subscribe();
      this.startExtending();
      let failures = 0;
      while (!this.stopping) {
        if (this.pollFailure !== undefined) {
          // Handled once no poll is in flight: a re-subscribe must not race a poll of the old id.
          if (this.polls > 0) {
            await this.changed();
            continue;
          }
          const error = this.pollFailure.error;
          this.pollFailure = undefined;
          if (error instanceof GopherMQError && error.status === 404 && this.subscription?.name !== undefined) {
            await this.subscribe();
            continue;
          }
          if (!isPassing(error)) throw error;
          this.report(error);
          await sleep(backoffMs(failures++, { minDelayMs: 100, maxDelayMs: 5000 }), this.poll.signal).catch(() => {});
          continue;
        }
        const left = this.options.limit === undefined ? Infinity : this.options.limit - this.taken - this.reserved;
        if (left <= 0) {
          if (this.polls > 0) await this.changed();
          else {
            await this.idle(() => this.running.size === 0 && this.buffer.length === 0);
            break;
          }
          continue;
        }
        const room = this.capacity - this.buffer.length - this.running.size - this.reserved;
        // One poll waits at the broker; more go out at once while the last answer said more are
        // pending (a backlog), each taking its share of the room, so the round trips overlap.
        const another = this.polls === 0 || (this.backlog && this.polls < this.maxPolls);
        const share = this.polls === 0 && !this.backlog ? room : Math.ceil(this.capacity / this.maxPolls);
        // A few slots free is not worth a request of its own while the rest are busy.
        if (!another || room <= 0 || (room < Math.ceil(this.capacity / 4) && room < left && room < share)) {
          await this.changed();
          continue;
        }
        this.launch(Math.min(room, share, left, 10_000), this.polls === 0, () => (failures = 0));
      }
    } catch (error) {
      this.report(error);
      this.stopped ??= this.shutDown().then(
        () => this.settleDone.reject(error),
        () => this.settleDone.reject(error),
      );
      return;
    }
    void this.stop();
  }

  /**
   * One poll for up to `max` messages, its room reserved until it answers; `wait`: long-poll when
   * none is pending. It carries the acks gathered so far, when its source can.
   */
  private launch(max: number, wait: boolean, succeeded: () => void): void {
    const subscription = this.subscription!;
    const carried = this.carryAcks && this.acknowledged ? this.takeAcks(subscription) : undefined;
    this.polls++;
    this.reserved += max;
    if (!wait) this.quickPolls++;
    this.source
      .next(subscription, max, this.poll.signal, wait, carried)
      .then(
        ({ messages, more, acked }) => {
          succeeded();
          if (carried !== undefined && acked === undefined) {
            // A broker from before acks on fetch ignores the field: they go in ack requests, now and from now on.
            this.carryAcks = false;
            this.acks.unshift(...carried.map((seq) => ({ subscription, seq })));
          }
          this.taken += messages.length;
          this.backlog = more && messages.length > 0;
          const now = Date.now();
          const held = messages.map((message) => ({ message, subscription, since: now }));
          // Answered as stop began: in the buffer, shutDown gives them back with the others.
          for (const one of held) this.buffer.push(one);
        },
        (error) => {
          this.backlog = false;
          // They may not have been acked: sent again (an ack is idempotent), unless the subscriber is gone.
          if (carried !== undefined && !(error instanceof GopherMQError && error.status === 404)) this.acks.unshift(...carried.map((seq) => ({ subscription, seq })));
          if (!this.stopping) this.pollFailure ??= { error };
        },
      )
      .finally(() => {
        this.polls--;
        this.reserved -= max;
        if (!wait) this.quickPolls--;
        this.dispatch();
        this.notify();
        this.checkAcks();
      });
  }

  /** Up to MAX_SEQS_PER_REQUEST of the gathered acks of this subscriber, taken off the list (an old subscriber's are dropped). */
  private takeAcks(subscription: Subscription): number[] | undefined {
    if (this.acks.length === 0) return undefined;
    const taken = this.acks.splice(0, MAX_SEQS_PER_REQUEST);
    const seqs: number[] = [];
    for (const ack of taken) if (ack.subscription === subscription) seqs.push(ack.seq);
    return seqs.length > 0 ? seqs : undefined;
  }

  /** Subscribes (again, after a 404), retrying while the broker cannot be reached. */
  private async subscribe(): Promise<void> {
    if (this.target.id !== undefined && this.subscription === undefined) {
      this.subscription = this.target;
      return;
    }
    const { subject, id: _id, ...options } = { ...this.target, ...this.subscription } as Subscription;
    for (let attempt = 0; ; attempt++) {
      try {
        this.subscription = await this.client.subscribe(subject, { ...subscribeOptionsOf(options), signal: this.poll.signal });
        return;
      } catch (error) {
        if (this.stopping || !isPassing(error)) throw error;
        this.report(error);
        await sleep(backoffMs(attempt, { minDelayMs: 100, maxDelayMs: 5000 }), this.poll.signal);
      }
    }
  }

  private dispatch(): void {
    // A handler that ends at once ends inside start(): the loop, not a recursion, starts the next.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.running.size < this.concurrency && this.buffer.length > 0 && !this.stopping) this.start(this.buffer.shift()!);
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * Runs the handler; one that returns (or throws) at once is settled at once, without a promise:
   * a consumer of small fast jobs spends its time here, per message.
   */
  private start(held: Held): void {
    this.running.add(held);
    let result: unknown;
    try {
      result = this.handler(held.message, (held.context = new LazyContext()));
    } catch (error) {
      this.failed(held, error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      (result as PromiseLike<unknown>).then(
        () => this.succeeded(held),
        (error: unknown) => this.failed(held, error),
      );
    } else {
      this.succeeded(held);
    }
  }

  private succeeded(held: Held): void {
    if (!this.running.delete(held)) return; // stop gave up on it and nacked it
    if (this.acknowledged && held.message.seq !== undefined) this.queueAck(held);
    this.ended();
  }

  private failed(held: Held, error: unknown): void {
    if (!this.running.delete(held)) return;
    const { message } = held;
    this.report(error, message);
    if (this.acknowledged && message.seq !== undefined) {
      const delayMs = (this.options.nackDelayMs ?? defaultNackDelayMs)(message);
      this.client.nack(held.subscription, [message.seq], { delayMs }).catch((failure) => this.report(failure, message));
    }
    this.ended();
  }

  private ended(): void {
    this.dispatch();
    this.notify();
  }

  /** Gathers the ack; it goes with the next poll, or in an ack request if no poll is coming (checkAcks). */
  private queueAck(held: Held): void {
    if (held.subscription !== this.subscription) return;
    this.acks.push({ subscription: held.subscription, seq: held.message.seq! });
    this.checkAcks();
  }

  /**
   * After the loop has had its turn (a timer: a handler's end and a poll's answer wake the loop
   * within microtasks, and a poll it launches takes the acks), what is left goes in an ack request,
   * unless a poll that does not wait is in flight: its answer launches the next poll, which carries
   * them, and if none is launched then, this check runs again. So a backlog costs one request per
   * batch, and an ack waits at most about one round trip, never for a long-poll. With a source
   * that cannot carry acks, they go at once, one ack request in flight with all gathered meanwhile.
   */
  private checkAcks(): void {
    if (this.acks.length === 0) return;
    // A source that cannot carry them (the stream, whose room frees as acks arrive): sent at once.
    if (!this.carryAcks) {
      void this.flushAcks();
      return;
    }
    this.ackCheck ??= setTimeout(() => {
      this.ackCheck = undefined;
      if (this.acks.length === 0 || (this.quickPolls > 0 && this.carryAcks && !this.stopping)) return;
      void this.flushAcks();
    }, 0);
  }

  /** Ack requests, one at a time, until none is gathered; the one running if there is one. */
  private flushAcks(): Promise<void> {
    this.flushing ??= (async () => {
      while (this.acks.length > 0) {
        const batch = this.acks.splice(0, MAX_SEQS_PER_REQUEST);
        const subscription = batch[0].subscription;
        const seqs = batch.filter((ack) => ack.subscription === subscription).map((ack) => ack.seq);
        try {
          await this.client.ack(subscription, seqs);
        } catch (error) {
          this.report(error);
        }
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Every ackWaitMs/4, extends what it holds (waiting or running) whose deadline is past half. */
  private startExtending(): void {
    const ackWaitMs = this.subscription?.ackWaitMs;
    if (ackWaitMs === undefined) return;
    this.extendTimer = setInterval(() => {
      const now = Date.now();
      const due = [...this.buffer, ...this.running].filter((held) => held.subscription === this.subscription && held.message.seq !== undefined && now - held.since >= ackWaitMs / 2);
      if (due.length === 0) return;
      for (const held of due) held.since = now;
      this.client.extend(this.subscription!, due.map((held) => held.message.seq!)).catch((error) => this.report(error));
    }, Math.max(250, ackWaitMs / 4));
    // The timer alone does not keep a process alive.
    (this.extendTimer as { unref?: () => void }).unref?.();
  }

  /** Waits until `ready()` holds, re-checked whenever a handler ends or the consumer stops. */
  private async idle(ready: () => boolean): Promise<void> {
    while (!ready() && !this.stopping) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** onError, whose own failure must not break the consumer. */
  private report(error: unknown, message?: ConsumedMessage): void {
    try {
      this.options.onError?.(error, message);
    } catch {
      // the caller's handler of errors failed; nothing more to tell
    }
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.poll.abort();
    this.notify();
    // Aborted polls settle at once; one answered just before keeps its messages in the buffer.
    while (this.polls > 0) await this.changed();
    const problems: unknown[] = [];
    const attempt = (step: Promise<unknown>) => step.catch((error) => problems.push(error));
    // Messages not started go back for other consumers of the subscriber, just after the broker has
    // seen the aborted poll's connection close: a nack wakes a waiting fetch, and that poll, not yet
    // known to be gone, would take them again, in flight until their deadline.
    const waiting = this.buffer.splice(0);
    await attempt(this.nackHeld(waiting, AFTER_POLL_CLOSED_MS));
    if (this.running.size > 0) {
      let gaveUp = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.stopTimeoutMs)));
      const finished = (async () => {
        while (this.running.size > 0 && !gaveUp) await this.changed();
      })();
      await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      gaveUp = true;
      this.notify();
      const abandoned = [...this.running];
      this.running.clear();
      for (const held of abandoned) held.context?.abandon();
      await attempt(this.nackHeld(abandoned));
    }
    if (this.extendTimer !== undefined) clearInterval(this.extendTimer);
    if (this.ackCheck !== undefined) clearTimeout(this.ackCheck);
    this.ackCheck = undefined;
    // The acks still gathered (among them those of aborted polls) go now; then any gathered meanwhile.
    while (this.flushing !== undefined || this.acks.length > 0) await attempt(this.flushAcks());
    if (this.createdAnonymous && this.subscription !== undefined) await attempt(this.client.unsubscribe(this.subscription));
    for (const problem of problems) this.report(problem);
  }

  private async nackHeld(held: Held[], delayMs = 0): Promise<void> {
    if (!this.acknowledged) return;
    const current = held.filter((h) => h.subscription === this.subscription && h.message.seq !== undefined);
    if (current.length > 0) await this.client.nack(this.subscription!, current.map((h) => h.message.seq!), { delayMs });
  }
}

/** Failures that pass: the broker busy (429), unavailable (503) or out of reach. */
function isPassing(error: unknown): boolean {
  return error instanceof GopherMQConnectionError || (error instanceof GopherMQError && (error.status === 429 || error.status === 503));
}

/** The settings a subscribe answer echoes, as the options to subscribe with again. */
function subscribeOptionsOf(settings: Omit<Subscription, 'subject' | 'id'> & SubscribeOptions): SubscribeOptions {
  const { name, deliver, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending } = settings;
  return { name, deliver, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending };
}
