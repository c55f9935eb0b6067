import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BrokerError } from '../broker/broker.error.js';
import { GopherMqConfig } from '../config/gophermq-config.js';

const held = Symbol('gophermq.answerChars');
type HoldingResponse = ServerResponse & { [held]?: number };
type HoldingSocket = Socket & { [held]?: number };

/**
 * Bounds the memory held by fetch answers still being written. A message taken by a fetch no longer
 * counts against the pending limits, but its answer stays in memory until the client has read it:
 * sixty clients that fetched 8 MiB each and never read held 540 MiB, and more would have taken the
 * process down. So answers are counted, in characters, from the fetch until their response closes,
 * and a fetch that starts while they hold broker.max-fetch-bytes-in-flight is refused with 503
 * before it takes anything.
 */
@Injectable()
export class AnswersInFlight {
  private chars = 0;
  private readonly limit: number;

  constructor(config: GopherMqConfig) {
    this.limit = config.broker.maxFetchBytesInFlight;
  }

  /** Characters of the answers being written now. */
  get size(): number {
    return this.chars;
  }

  /** Throws (503) when answers being written already hold the limit. */
  assertRoom(): void {
    if (this.chars >= this.limit) throw BrokerError.tooManyAnswersInFlight();
  }

  /**
   * Counts an answer of `chars` characters until its response closes (answered, or the client gone).
   * Counted per connection too: Node closes only the current response of a connection that dies,
   * not the pipelined ones queued behind it, so the connection's own close releases what is left.
   */
  hold(response: HoldingResponse, chars: number): void {
    const socket = response.req.socket as HoldingSocket;
    if (chars === 0 || socket.destroyed) return;
    this.chars += chars;
    response[held] = chars;
    response.on('close', this.onAnswerClosed);
    if (socket[held] === undefined) socket.once('close', this.onConnectionClosed);
    socket[held] = (socket[held] ?? 0) + chars;
  }

  /** Listeners made once, not per answer: Node calls them with the response or socket as `this`. */
  private readonly onAnswerClosed = ((owner: AnswersInFlight) =>
    function (this: HoldingResponse): void {
      const socket = this.req.socket as HoldingSocket;
      const chars = this[held]!;
      if (socket[held]! < chars) return; // its connection closed first and released it
      socket[held]! -= chars;
      owner.chars -= chars;
    })(this);

  private readonly onConnectionClosed = ((owner: AnswersInFlight) =>
    function (this: HoldingSocket): void {
      owner.chars -= this[held]!;
      this[held] = 0;
    })(this);
}
