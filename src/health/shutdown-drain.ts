import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { BrokerService } from '../broker/broker.service.js';

const SHUTTING_DOWN = JSON.stringify({ message: 'broker is shutting down' });

/**
 * Lets the answers in flight at shutdown reach their clients whole. Node's `server.close()`
 * destroys a connection as soon as its answer is ended, even with megabytes of it still queued,
 * so shutdown first waits until every request received has been answered and its answer handed
 * to the OS. Meanwhile the port stays open and answers every new request, `/ready` included, 503.
 */
@Injectable()
export class ShutdownDrain implements OnModuleInit, BeforeApplicationShutdown {
  private inFlight = 0;
  private draining = false;
  private onDrained?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly broker: BrokerService,
  ) {}

  /** Requests received and not yet answered in full, nor abandoned by their client. */
  get requestsInFlight(): number {
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

  private readonly onRequest = (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (this.draining) {
      // `connection: close` sends keep-alive clients elsewhere for their next request.
      reply.code(503).header('connection', 'close').type('application/json; charset=utf-8').send(SHUTTING_DOWN);
      return;
    }
    this.inFlight += 1;
    // 'close' comes once the answer is handed to the OS, or when the connection ends before that.
    reply.raw.once('close', this.onAnswered);
    done();
  };

  private readonly onAnswered = (): void => {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.onDrained?.();
  };
}
