import type { ServerResponse } from 'node:http';
import type { EndReason, StandingConsumer } from '../broker/standing-consumers.js';
import type { DeliveredMessage, FetchedMessages, TakeOptions } from '../broker/store/message-store.js';
import type { StreamFormat } from './stream-format.js';

/**
 * Most characters a stream leaves in the broker's buffers (Node's, above the kernel's) for its
 * client: a take is sized to what is left of it, so a slow reader holds about this much, plus
 * at most one message larger than it, and its other messages stay pending in the store.
 */
export const STREAM_BUFFER_CHARS = 64 * 1024;

/** Most messages one take asks for, as a fetch (MAX_FETCH_MESSAGES). */
const MAX_TAKE = 10_000;

/** What a stream needs from the hub that runs it. */
export interface StreamRunner {
  /** Runs `stream.run()` in a later turn, a bounded number per turn. */
  schedule(stream: EventStream): void;
  /** One take from the store (synchronous on the memory store). */
  take(stream: EventStream, max: number, maxBytes: number): FetchedMessages | undefined | Promise<FetchedMessages | undefined>;
  /** `count` messages were written to the stream's client. */
  sent(count: number): void;
  /** A take failed (the store is unavailable): tried again at the next heartbeat. */
  failed(stream: EventStream, error: unknown): void;
  /** The stream is over: unregister it; resolves once its ephemeral subscriber is removed. */
  finished(stream: EventStream): Promise<void>;
}

type State = 'idle' | 'taking' | 'draining' | 'ended';

/**
 * One open GET /api/stream: a standing consumer of one subscriber that takes what a fetch would
 * and writes it to its response as events. Its methods are bound once, when it opens: nothing is
 * allocated per message but the messages and their text.
 *
 * - idle: waits for a wake (a publish, a redelivery, an ack making room) or the heartbeat;
 * - taking: a take from the store is under way (a wake meanwhile makes it take again after);
 * - draining: its client has not read what was written; it takes nothing until Node says 'drain'.
 */
export class EventStream implements StandingConsumer {
  private state: State = 'idle';
  /** In the runner's queue already. */
  queued = false;
  /** A wake came while taking: take again once this take is written. */
  private signalled = false;
  /** A keep-alive is due at its next run (set by the heartbeat). */
  beatDue = false;
  /** When it last wrote anything (Date.now()). */
  lastWriteMs = Date.now();
  private readonly subjectJson: string;
  readonly takeOptions: TakeOptions;

  constructor(
    private readonly runner: StreamRunner,
    private readonly response: ServerResponse,
    private readonly format: StreamFormat,
    readonly subject: string,
    /** The store's id of the subscriber (without the token's tag). */
    readonly subscriberId: string,
    /** The id as its client knows it (tagged with auth on), in the open event. */
    private readonly clientId: string,
    maxInFlight: number,
    /** Created for this stream: removed when it ends. */
    readonly ephemeral: boolean,
  ) {
    this.subjectJson = JSON.stringify(subject);
    this.takeOptions = { maxInFlight, withSeqs: true };
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Sends the headers and the open event; the first take follows in the runner's turn. */
  open(): void {
    const { response } = this;
    response.on('drain', this.onDrain);
    response.on('close', this.onClientGone);
    response.writeHead(200, {
      'content-type': this.format.contentType,
      'cache-control': 'no-cache',
      // nginx buffers answers unless told not to; a stream must pass as it is written.
      'x-accel-buffering': 'no',
    });
    this.write(this.format.open(this.clientId, this.subject));
    this.runner.schedule(this);
  }

  wake(): boolean {
    if (this.state === 'idle') {
      this.runner.schedule(this);
      return true;
    }
    if (this.state === 'taking') {
      this.signalled = true;
      return true;
    }
    return false;
  }

  /** The runner's turn: a keep-alive if due, then a take unless one is under way or the client is not reading. */
  run(): void {
    this.queued = false;
    if (this.state === 'ended') return;
    // A keep-alive only on a quiet connection: one whose client is not reading has data waiting.
    if (this.beatDue) {
      this.beatDue = false;
      if (this.state === 'idle' && !this.write(this.format.keepalive)) {
        this.state = 'draining';
        return;
      }
    }
    if (this.state === 'idle') this.take();
  }

  private take(): void {
    this.state = 'taking';
    this.signalled = false;
    // Node's buffer holds less than its high-water mark (else it would be draining): the take fills
    // what is left of STREAM_BUFFER_CHARS, half with data, half with the events around it.
    const room = Math.max(STREAM_BUFFER_CHARS - this.response.writableLength, 1024);
    const max = Math.min(MAX_TAKE, Math.max(1, Math.floor(room / 2 / (this.format.overheadChars + this.subjectJson.length))));
    let taken: FetchedMessages | undefined | Promise<FetchedMessages | undefined>;
    try {
      taken = this.runner.take(this, max, Math.floor(room / 2));
    } catch (error) {
      this.onTakeFailed(error);
      return;
    }
    if (taken instanceof Promise) taken.then(this.onTaken, this.onTakeFailed);
    else this.onTaken(taken);
  }

  private readonly onTaken = (taken: FetchedMessages | undefined): void => {
    if (this.state === 'ended') return; // its client left during the take
    this.state = 'idle';
    if (taken === undefined) {
      this.end('unsubscribed');
      return;
    }
    const messages = taken.messages as DeliveredMessage[];
    if (messages.length > 0) {
      const flowing = this.write(this.format.messages(this.subjectJson, messages));
      this.runner.sent(messages.length);
      if (!flowing) {
        this.state = 'draining';
        return;
      }
    }
    // More to take now, or a wake came during the take. At a subscriber's maxInFlight `remaining`
    // counts what it may not take yet: it waits for a wake (an ack) once a take finds nothing.
    if (this.signalled || (messages.length > 0 && taken.remaining > 0)) this.runner.schedule(this);
  };

  private readonly onTakeFailed = (error: unknown): void => {
    if (this.state === 'ended') return;
    this.state = 'idle';
    this.runner.failed(this, error);
  };

  private readonly onDrain = (): void => {
    if (this.state !== 'draining') return;
    this.state = 'idle';
    this.runner.schedule(this);
  };

  /** The broker ends it (StandingConsumer): the close event, then the end of the answer. */
  end(reason: EndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.write(this.format.close(reason));
    const { response } = this;
    // An ephemeral subscriber is removed before the answer ends, so shutdown waits for it.
    this.runner.finished(this).finally(() => response.end());
  }

  /** Its client closed the connection: nothing more is written. */
  private readonly onClientGone = (): void => {
    if (this.state === 'ended') return;
    this.state = 'ended';
    void this.runner.finished(this);
  };

  private write(text: string): boolean {
    this.lastWriteMs = Date.now();
    return this.response.write(text);
  }
}
