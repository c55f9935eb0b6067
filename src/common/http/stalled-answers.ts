import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { getToken } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { Counter } from 'prom-client';
import { GopherMqConfig } from '../../config/gophermq-config.js';
import { ANSWERS_CUT_METRIC } from '../../metrics/request-metrics.providers.js';
import { visitInSlices } from '../turns/visit-in-slices.js';
import { InFlightRequests } from './in-flight-requests.js';

/** How often the connections are checked: the write timeout is met within a second. */
const CHECK_INTERVAL_MS = 1000;
/** Connections checked per turn of the event loop. */
const CHECKS_PER_TURN = 1000;
const REPORT_INTERVAL_MS = 10_000;

const doneBytes = Symbol('gophermq.doneBytes');
const progressAtMs = Symbol('gophermq.progressAtMs');
/** What the kernel had taken of the connection's writes at the last check that saw it move, and when. */
type WatchedSocket = Socket & { [doneBytes]?: number; [progressAtMs]?: number };

/**
 * Cuts answers that make no progress for broker.write-timeout seconds, and closes their
 * connections: a client that stops reading would otherwise hold its answer's memory (and its share
 * of broker.max-fetch-bytes-in-flight) for as long as it keeps the connection open.
 *
 * One timer for every connection, never one per request: every second, each connection with bytes
 * waiting to be written is asked how many the kernel has taken (bytesWritten − writableLength, which
 * grows only when a write completes). A connection with nothing waiting costs one property read.
 */
@Injectable()
export class StalledAnswers implements OnModuleInit, OnApplicationShutdown {
  private logger?: FastifyBaseLogger;
  private readonly timeoutMs: number;
  private timer?: NodeJS.Timeout;
  private lastReportMs = 0;
  private unreported = 0;
  /** A check is under way (in slices); the next one waits for it. */
  private checking = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly inFlight: InFlightRequests,
    config: GopherMqConfig,
    /** Absent when monitoring is off. */
    @Optional() @Inject(getToken(ANSWERS_CUT_METRIC)) private readonly cut?: Counter,
  ) {
    this.timeoutMs = config.broker.writeTimeout * 1000;
  }

  onModuleInit(): void {
    this.logger = this.adapterHost.httpAdapter.getInstance<FastifyInstance>().log;
    this.timer = setInterval(this.check, CHECK_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private readonly check = (): void => {
    if (this.checking) return;
    this.checking = true;
    const now = Date.now();
    let cut = 0;
    void visitInSlices(this.inFlight.connections as ReadonlySet<WatchedSocket>, CHECKS_PER_TURN, (socket) => {
      if (socket.writableLength === 0 || socket.destroyed) {
        if (socket[progressAtMs] !== undefined) socket[progressAtMs] = undefined;
        return;
      }
      const done = socket.bytesWritten - socket.writableLength;
      if (socket[progressAtMs] === undefined || socket[doneBytes] !== done) {
        socket[doneBytes] = done;
        socket[progressAtMs] = now;
      } else if (now - socket[progressAtMs] >= this.timeoutMs) {
        socket.destroy();
        cut += 1;
      }
    }).finally(() => {
      this.checking = false;
      if (cut > 0) this.report(cut, now);
    });
  };

  private report(cut: number, now: number): void {
    this.cut?.inc(cut);
    this.unreported += cut;
    if (now - this.lastReportMs < REPORT_INTERVAL_MS) return;
    this.logger?.warn({ answers: this.unreported }, `cut ${this.unreported} answer(s) that made no progress for ${this.timeoutMs / 1000} s since the last report, closing their connections`);
    this.lastReportMs = now;
    this.unreported = 0;
  }
}
