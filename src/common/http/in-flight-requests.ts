import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Socket } from 'node:net';
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessControl } from '../../auth/access-control.js';
import { BrokerError } from '../../broker/broker.error.js';
import { BrokerService } from '../../broker/broker.service.js';
import { GopherMqConfig } from '../../config/gophermq-config.js';
import { FetchAnswerShares, type AnswerClient } from './fetch-answer-shares.js';
import { stopAccepting } from './stop-accepting.js';
import { UnusedConnections } from './unused-connections.js';

/**
 * Most requests one connection may have waiting for their answer. HTTP/1.1 clients send the next
 * request after reading an answer, or pipeline a few; a client that pipelines past this is not
 * reading what it asked for.
 */
export const MAX_UNANSWERED_REQUESTS_PER_CONNECTION = 32;

const SHUTTING_DOWN = JSON.stringify({ message: 'broker is shutting down' });
const READY_PATH = '/ready';
const unanswered = Symbol('gophermq.unansweredRequests');
const latestAnswer = Symbol('gophermq.latestAnswer');
const heldAnswers = Symbol('gophermq.heldAnswers');
/**
 * Requests counted on the connection and not yet uncounted (undefined until its first request), its
 * fetch answers that hold characters, and the answer to its latest request.
 */
type CountedSocket = Socket & { [unanswered]?: number; [heldAnswers]?: AnswerHold[]; [latestAnswer]?: ServerResponse };

/**
 * serving; leaving: broker.drain-delay, /ready answers 503 and the rest is served; draining: every
 * new request answers 503 while those in flight finish.
 */
type Phase = 'serving' | 'leaving' | 'draining';
/**
 * A fetch answer holding `chars` characters of `client`'s share. Kept in its connection's list, in
 * answer order, not as a property of the response: a property added to some of Node's responses
 * and not others gives them two shapes, and every request paid for it in Node's own code (a
 * publish+fetch cost 16 % more CPU than with the holds kept aside).
 */
interface AnswerHold {
  response: ServerResponse;
  client: AnswerClient;
  chars: number;
}

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
 *   8 MiB each and never read held 540 MiB). broker.max-fetch-bytes-in-flight is shared fairly
 *   between the clients holding answers (FetchAnswerShares): a client holding its share is refused
 *   with 503 before it takes anything, the others' fetches get a budget within what is left.
 * - Shutdown waits until every request received is answered and its answer handed to the OS: Node's
 *   `server.close()` destroys a connection as soon as its answer is ended, even with megabytes of it
 *   still queued. The drain stops accepting connections, answers every request still arriving on
 *   open ones 503 with `connection: close` (and gives the answers in flight `connection: close` when
 *   their headers are not sent yet), then keeps idle connections open for broker.drain-idle-grace
 *   before closing them, so a request already on its way is answered rather than reset.
 */
@Injectable()
export class InFlightRequests implements OnModuleInit, BeforeApplicationShutdown {
  private inFlight = 0;
  private readonly answers: FetchAnswerShares;
  private readonly open = new Set<CountedSocket>();
  private unused?: UnusedConnections;
  private readonly idleGraceMs: number;
  private phase: Phase = 'serving';
  private onDrained?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly broker: BrokerService,
    private readonly access: AccessControl,
    config: GopherMqConfig,
  ) {
    this.answers = new FetchAnswerShares(config.broker.maxFetchBytesInFlight, config.broker.maxFetchBytes);
    this.idleGraceMs = config.broker.drainIdleGrace * 1000;
  }

  /** The connections that have sent a request and are not closed yet. */
  get connections(): ReadonlySet<Socket> {
    return this.open;
  }

  /** broker.drain-delay begins: /ready answers 503 (a load balancer stops sending requests), the rest is served as before. */
  leave(): void {
    if (this.phase === 'serving') this.phase = 'leaving';
  }

  /**
   * Who a fetch answer counts against: its token with auth on (one client, however many connections
   * it opens), else its connection. Throws (503) when that client already holds its share of
   * broker.max-fetch-bytes-in-flight.
   */
  admitAnswer(request: FastifyRequest): AnswerClient {
    const client: AnswerClient = this.access.principalOf(request) ?? request.raw.socket;
    if (!this.answers.admits(client)) throw BrokerError.tooManyAnswersInFlight();
    return client;
  }

  /** The byte budget of one take for `client`'s answer; settleAnswer() must follow. */
  reserveAnswer(client: AnswerClient): number {
    return this.answers.reserve(client);
  }

  /**
   * The take is over: its reservation goes, and the answer's `chars` are held until its request is
   * uncounted (answered, or its connection gone).
   */
  settleAnswer(response: ServerResponse, client: AnswerClient, reservedBytes: number, chars: number): void {
    const socket: CountedSocket = response.req.socket;
    const holds = (socket[heldAnswers] ??= []);
    // A waiting fetch takes more than once; only its first take that found something holds.
    const held = chars > 0 && !socket.closed && holds[holds.length - 1]?.response !== response ? chars : 0;
    this.answers.settle(client, reservedBytes, held);
    if (held > 0) holds.push({ response, client, chars: held });
  }

  /** Requests received and not yet answered in full, nor abandoned by their client. */
  get size(): number {
    return this.inFlight;
  }

  /** Before Fastify is ready, so the hook applies to every route. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onRequest', this.onRequest);
    this.unused = new UnusedConnections(this.adapterHost.httpAdapter.getHttpServer() as Server);
  }

  /**
   * Nest runs this before it closes the HTTP server (whose own close then finds nothing left to
   * close): the drain. New connections are refused from now on (a load balancer retries a refused
   * connection elsewhere safely: the request was never sent).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.phase = 'draining';
    this.broker.beginShutdown(); // parked fetches answer now instead of holding the drain
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const allClosed = stopAccepting(server);
    for (const socket of this.open) {
      // A connection closes after its latest answer: answers whose headers are not out yet say so.
      const latest = socket[latestAnswer];
      if (latest !== undefined && !latest.headersSent) latest.shouldKeepAlive = false;
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onDrained = resolve));
    if (this.open.size > 0 && this.idleGraceMs > 0) {
      const grace = new AbortController();
      await Promise.race([allClosed, sleep(this.idleGraceMs, undefined, { signal: grace.signal }).catch(() => {})]);
      grace.abort();
    }
    server.closeIdleConnections();
    // A preconnected browser tab held the exit until broker.shutdown-timeout cut it.
    this.unused?.closeUnused();
  }

  private readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (this.phase !== 'serving' && (this.phase === 'draining' || isReadiness(request))) {
      // `connection: close` sends keep-alive clients elsewhere for their next request.
      reply.code(503).header('connection', 'close').type('application/json; charset=utf-8').send(SHUTTING_DOWN);
      return;
    }
    const socket: CountedSocket = request.raw.socket;
    socket[latestAnswer] = reply.raw;
    if (socket[unanswered] === undefined) {
      this.unused?.used(socket);
      socket[unanswered] = 0;
      socket.once('close', this.onConnectionClosed);
      this.open.add(socket);
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
    function (this: ServerResponse): void {
      const socket: CountedSocket = this.req.socket;
      // Once the connection has closed, its requests were all uncounted by onConnectionClosed.
      if (socket.closed) return;
      socket[unanswered]! -= 1;
      const holds = socket[heldAnswers];
      if (holds !== undefined && holds.length > 0) {
        // Answers end in the order they were asked for: this one's hold, if any, is first.
        const at = holds[0].response === this ? 0 : holds.findIndex((hold) => hold.response === this);
        if (at >= 0) {
          const hold = at === 0 ? holds.shift()! : holds.splice(at, 1)[0];
          tracker.answers.release(hold.client, hold.chars);
        }
      }
      tracker.uncount(1);
    })(this);

  /** Uncounts what the connection still had waiting, answers queued behind the current one too. */
  private readonly onConnectionClosed = ((tracker: InFlightRequests) =>
    function (this: CountedSocket): void {
      const left = this[unanswered]!;
      this[unanswered] = 0;
      this[latestAnswer] = undefined;
      tracker.open.delete(this);
      for (const hold of this[heldAnswers] ?? []) tracker.answers.release(hold.client, hold.chars);
      if (this[heldAnswers] !== undefined) this[heldAnswers].length = 0;
      if (left > 0) tracker.uncount(left);
    })(this);
}

function isReadiness(request: FastifyRequest): boolean {
  const url = request.raw.url ?? '';
  return url === READY_PATH || url.startsWith(`${READY_PATH}?`);
}
