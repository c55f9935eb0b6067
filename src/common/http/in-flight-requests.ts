import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { BrokerError } from '../../broker/broker.error.js';
import { BrokerService } from '../../broker/broker.service.js';
import { GopherMqConfig } from '../../config/gophermq-config.js';

/**
 * Most requests one connection may have waiting for their answer. HTTP/1.1 clients send the next
 * request after reading an answer, or pipeline a few; a client that pipelines past this is not
 * reading what it asked for.
 */
export const MAX_UNANSWERED_REQUESTS_PER_CONNECTION = 32;

const SHUTTING_DOWN = JSON.stringify({ message: 'broker is shutting down' });
const unanswered = Symbol('gophermq.unansweredRequests');
const answerChars = Symbol('gophermq.answerChars');
/**
 * Requests counted on the connection and not yet uncounted (undefined until its first request), and
 * the characters of the fetch answers among them.
 */
type CountedSocket = Socket & { [unanswered]?: number; [answerChars]?: number };
type CountedResponse = ServerResponse & { [answerChars]?: number };

/**
 * Counts the requests not yet answered in full, per connection and in all, with one hook and one
 * listener per request (the hot path pays for both jobs once), and one listener per connection:
 * Node emits 'close' only for the answer the connection is writing, not for pipelined ones queued
 * behind it, so when a connection closes every request still counted on it is uncounted at once.
 *
 * - A connection with more than MAX_UNANSWERED_REQUESTS_PER_CONNECTION is closed, on every route.
 *   Node keeps parsing pipelined requests while their answers pile up for a client that never reads
 *   them (4 such connections took RSS from 133 MiB to 1 GiB in 8 s); neither Node nor Fastify bounds it.
 * - Fetch answers are counted by their characters too: a message taken by a fetch leaves the pending
 *   limits, but its answer stays in memory until the client has read it (sixty clients that fetched
 *   8 MiB each and never read held 540 MiB). A fetch that starts while answers hold
 *   broker.max-fetch-bytes-in-flight is refused with 503 before it takes anything.
 * - Shutdown waits until every request received is answered and its answer handed to the OS: Node's
 *   `server.close()` destroys a connection as soon as its answer is ended, even with megabytes of it
 *   still queued. Meanwhile the port stays open and answers every new request, `/ready` too, 503.
 */
@Injectable()
export class InFlightRequests implements OnModuleInit, BeforeApplicationShutdown {
  private inFlight = 0;
  private answerCharsInFlight = 0;
  private readonly maxAnswerChars: number;
  private draining = false;
  private onDrained?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly broker: BrokerService,
    config: GopherMqConfig,
  ) {
    this.maxAnswerChars = config.broker.maxFetchBytesInFlight;
  }

  /** Throws (503) when fetch answers being written already hold broker.max-fetch-bytes-in-flight. */
  assertRoomForAnswer(): void {
    if (this.answerCharsInFlight >= this.maxAnswerChars) throw BrokerError.tooManyAnswersInFlight();
  }

  /** Counts a fetch answer of `chars` characters until its request is uncounted (answered, or its connection gone). */
  holdAnswer(response: CountedResponse, chars: number): void {
    const socket: CountedSocket = response.req.socket;
    if (chars === 0 || socket.closed) return;
    response[answerChars] = chars;
    socket[answerChars] = (socket[answerChars] ?? 0) + chars;
    this.answerCharsInFlight += chars;
  }

  /** Requests received and not yet answered in full, nor abandoned by their client. */
  get size(): number {
    return this.inFlight;
  }

  /** Before Fastify is ready, so the hook applies to every route. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onRequest', this.onRequest);
  }

  /** Nest runs this before it closes the HTTP server. */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    this.broker.beginShutdown(); // parked fetches answer now instead of holding the drain
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onDrained = resolve));
  }

  private readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (this.draining) {
      // `connection: close` sends keep-alive clients elsewhere for their next request.
      reply.code(503).header('connection', 'close').type('application/json; charset=utf-8').send(SHUTTING_DOWN);
      return;
    }
    const socket: CountedSocket = request.raw.socket;
    if (socket[unanswered] === undefined) {
      socket[unanswered] = 0;
      socket.once('close', this.onConnectionClosed);
      // Each waiting fetch listens for its connection's 'close' too, and this bounds how many wait.
      socket.setMaxListeners(socket.getMaxListeners() + MAX_UNANSWERED_REQUESTS_PER_CONNECTION);
    }
    const count = socket[unanswered] + 1;
    if (count > MAX_UNANSWERED_REQUESTS_PER_CONNECTION || socket.destroyed) {
      if (!socket.destroyed) {
        request.log.debug({ remoteAddress: socket.remoteAddress }, 'closing a connection with too many unanswered requests');
        socket.destroy();
      }
      reply.hijack(); // nothing more is done for this request, nor for the rest the client sent at once
      return;
    }
    socket[unanswered] = count;
    this.inFlight += 1;
    // 'close' comes once the answer is handed to the OS, or when the connection ends before that.
    reply.raw.on('close', this.onAnswered);
    done();
  };

  private uncount(requests: number): void {
    this.inFlight -= requests;
    if (this.inFlight === 0) this.onDrained?.();
  }

  /** A listener made once, not per request: Node calls it with the response as `this`. */
  private readonly onAnswered = ((tracker: InFlightRequests) =>
    function (this: CountedResponse): void {
      const socket: CountedSocket = this.req.socket;
      // Once the connection has closed, its requests were all uncounted by onConnectionClosed.
      if (socket.closed) return;
      socket[unanswered]! -= 1;
      const chars = this[answerChars];
      if (chars !== undefined) {
        socket[answerChars]! -= chars;
        tracker.answerCharsInFlight -= chars;
      }
      tracker.uncount(1);
    })(this);

  /** Uncounts what the connection still had waiting, answers queued behind the current one too. */
  private readonly onConnectionClosed = ((tracker: InFlightRequests) =>
    function (this: CountedSocket): void {
      const left = this[unanswered]!;
      tracker.answerCharsInFlight -= this[answerChars] ?? 0;
      this[unanswered] = 0;
      this[answerChars] = 0;
      if (left > 0) tracker.uncount(left);
    })(this);
}
