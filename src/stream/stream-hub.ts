import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import Denque from 'denque';
import { BrokerError } from '../broker/broker.error.js';
import { BrokerService } from '../broker/broker.service.js';
import type { FetchedMessages } from '../broker/store/message-store.js';
import { visitInSlices } from '../common/turns/visit-in-slices.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { EventStream, type StreamRunner } from './event-stream.js';
import type { StreamFormat } from './stream-format.js';

/**
 * Streams run per turn of the event loop: each run is one take and one write (at most
 * STREAM_BUFFER_CHARS), tens of microseconds to a millisecond, so a publish that wakes thousands of
 * streams, or the heartbeat of thousands, leaves other requests served between chunks. A turn also
 * stops after STREAM_TURN_BUDGET_MS of runs: their writes reach the sockets after it, in the same
 * turn, and cost about as much again (64 runs and their writes made turns of 7 to 12 ms with 10,000
 * streams on a loaded machine).
 */
export const STREAM_RUNS_PER_TURN = 64;
const STREAM_TURN_BUDGET_MS = 2;
/** How often the heartbeat looks for streams that have written nothing for broker.stream-heartbeat. */
const HEARTBEAT_CHECK_MS = 1000;
/** Streams the heartbeat looks at per turn of the event loop. */
const HEARTBEAT_CHECKS_PER_TURN = 1000;
const REPORT_INTERVAL_MS = 10_000;

/** What opens a stream: who it reads and how it writes. */
export interface StreamRequest {
  subject: string;
  /** The store's id of the subscriber, and the id its client holds (tagged with auth on). */
  subscriberId: string;
  clientId: string;
  maxInFlight: number;
  ephemeral: boolean;
  format: StreamFormat;
}

/**
 * The open event streams of this instance: admits them (broker.max-streams), runs their takes a
 * bounded number per turn, keeps them alive (one timer for all), counts what they send, and ends
 * them at shutdown (through the broker, which ends every standing consumer).
 *
 * A stream takes only when it is woken (as a parked fetch is: by a publish on any instance, a
 * redelivery, an ack) or by the heartbeat. Each take that finds nothing tells the store how long
 * the stream will wait (`leaseMs`): on Redis that is what makes other instances announce their
 * publishes and keeps the subscriber active for idle expiry; the heartbeat's take renews it.
 */
@Injectable()
export class StreamHub implements StreamRunner, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Streams');
  private readonly open = new Set<EventStream>();
  /** Open streams by the store's id of their subscriber, for the management API. */
  private readonly bySubscriber = new Map<string, number>();
  /** Admitted, not yet open (an ephemeral subscriber being created). */
  private opening = 0;
  private readonly queue = new Denque<EventStream>();
  private scheduled = false;
  private timer?: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly maxStreams: number;
  private readonly removals = new Set<Promise<void>>();
  /** Messages written to streams since start. */
  messagesSent = 0;
  private lastReportMs = 0;
  private unreported = 0;
  /** A heartbeat round is under way (in slices); the next one waits for it. */
  private beating = false;

  constructor(
    private readonly broker: BrokerService,
    config: GopherMqConfig,
  ) {
    this.heartbeatMs = config.broker.streamHeartbeat * 1000;
    // Past two heartbeats (and a margin for a loaded turn) without a take, the stream is gone.
    this.leaseMs = 2 * this.heartbeatMs + 5000;
    this.maxStreams = config.broker.maxStreams;
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** Streams open now on this instance that read the subscriber of this store id. */
  streamsOf(subscriberId: string): number {
    return this.bySubscriber.get(subscriberId) ?? 0;
  }

  onModuleInit(): void {
    this.timer = setInterval(this.beat, HEARTBEAT_CHECK_MS).unref();
  }

  /** A slot for one more stream, or 429 `too many streams`; release() or start() must follow. */
  admit(): void {
    if (this.broker.isClosing) throw BrokerError.shuttingDown();
    if (this.open.size + this.opening >= this.maxStreams) throw BrokerError.tooManyStreams();
    this.opening += 1;
  }

  /** The admitted stream will not open (its subscribe failed). */
  release(): void {
    this.opening -= 1;
  }

  /** Opens the admitted stream on `response` (whose headers are not sent yet). */
  start(response: ServerResponse, request: StreamRequest): EventStream {
    this.opening -= 1;
    const { subject, subscriberId, clientId, maxInFlight, ephemeral, format } = request;
    const stream = new EventStream(this, response, format, subject, subscriberId, clientId, maxInFlight, ephemeral);
    this.open.add(stream);
    this.bySubscriber.set(subscriberId, this.streamsOf(subscriberId) + 1);
    this.broker.waiters.standing.add(stream);
    stream.open();
    // Shutdown began while it was being admitted: it ends as the others did.
    if (this.broker.isClosing) {
      this.broker.waiters.standing.delete(stream);
      stream.end('shutdown');
    }
    return stream;
  }

  schedule(stream: EventStream): void {
    if (stream.queued) return;
    stream.queued = true;
    this.queue.push(stream);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  take(stream: EventStream, max: number, maxBytes: number): FetchedMessages | undefined | Promise<FetchedMessages | undefined> {
    return this.broker.takeStanding(stream.subject, stream.subscriberId, max, maxBytes, this.leaseMs, stream.takeOptions);
  }

  sent(count: number): void {
    this.messagesSent += count;
    this.broker.countDelivered(count);
  }

  failed(_stream: EventStream, error: unknown): void {
    this.unreported += 1;
    const now = Date.now();
    if (now - this.lastReportMs < REPORT_INTERVAL_MS) return;
    const why = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${this.unreported} stream take(s) failed since the last report (tried again at the next heartbeat); latest: ${why}`);
    this.lastReportMs = now;
    this.unreported = 0;
  }

  finished(stream: EventStream): Promise<void> {
    if (this.open.delete(stream)) {
      const left = this.streamsOf(stream.subscriberId) - 1;
      if (left > 0) this.bySubscriber.set(stream.subscriberId, left);
      else this.bySubscriber.delete(stream.subscriberId);
    }
    this.broker.waiters.standing.delete(stream);
    if (!stream.ephemeral) return Promise.resolve();
    // Its subscriber was made for it: it goes with it, and its pending messages are released.
    const removal = Promise.resolve()
      .then(() => this.broker.unsubscribe(stream.subject, stream.subscriberId))
      .catch((error: unknown) => {
        // Already gone (unsubscribed by its client) is fine; else idle expiry removes it later.
        if (!(error instanceof BrokerError && error.message === BrokerError.badId().message)) {
          this.logger.warn(`could not remove the ephemeral subscriber of a stream on "${stream.subject}": ${error instanceof Error ? error.message : String(error)}`);
        }
      })
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }

  /**
   * Shutdown: every stream ends with its close event now (the broker ends every standing consumer),
   * and the ephemeral subscribers are removed before the store closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.broker.beginShutdown();
    await Promise.all([...this.removals]);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private readonly drain = (): void => {
    const until = performance.now() + STREAM_TURN_BUDGET_MS;
    for (let runs = 0; runs < STREAM_RUNS_PER_TURN; runs++) {
      const stream = this.queue.shift();
      if (stream === undefined) break;
      stream.run();
      if (performance.now() > until) break;
    }
    if (this.queue.length > 0) setImmediate(this.drain);
    else this.scheduled = false;
  };

  /** Streams that wrote nothing for a heartbeat get a keep-alive and a take (which renews their wait on Redis). */
  private readonly beat = (): void => {
    if (this.beating) return;
    this.beating = true;
    const due = Date.now() - this.heartbeatMs;
    void visitInSlices(this.open, HEARTBEAT_CHECKS_PER_TURN, (stream) => {
      if (stream.lastWriteMs > due || stream.beatDue || stream.ended) return;
      stream.beatDue = true;
      this.schedule(stream);
    }).finally(() => (this.beating = false));
  };
}
