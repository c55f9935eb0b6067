import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { BrokerError, BrokerErrorCode } from '../broker/broker.error.js';
import { BrokerService } from '../broker/broker.service.js';
import { ASYNC_PUBLISH_EVENT, type AsyncPublishEvent } from './async-publish.events.js';
import { AsyncFailureReason, AsyncPublishQueue } from './async-publish.queue.js';

const WARN_INTERVAL_MS = 10_000;

/** Publishes accepted async messages into the broker; every failure is counted and logged, none thrown. */
@Injectable()
export class AsyncPublishWorker {
  private readonly logger = new Logger(AsyncPublishWorker.name);
  private lastWarnMs = 0;
  private unreported = 0;

  constructor(
    private readonly broker: BrokerService,
    private readonly queue: AsyncPublishQueue,
  ) {}

  // async: runs on a later turn of the event loop, so the request is answered first.
  @OnEvent(ASYNC_PUBLISH_EVENT, { async: true, promisify: true })
  async publish({ subject, data }: AsyncPublishEvent): Promise<void> {
    try {
      await this.broker.publish(subject, data);
    } catch (error) {
      this.recordFailure(subject, error);
    } finally {
      this.queue.settle();
    }
  }

  private recordFailure(subject: string, error: unknown): void {
    const reason = reasonOf(error);
    this.queue.failures[reason] += 1;
    if (reason === 'error') this.logger.error(`async publish to "${subject}" failed: ${(error as Error)?.stack ?? error}`);
    // One warning per interval, so a producer without subscribers cannot flood the log.
    this.unreported += 1;
    const now = Date.now();
    if (now - this.lastWarnMs >= WARN_INTERVAL_MS) {
      this.logger.warn(`async publish failed (${this.unreported} since last report), latest: "${subject}": ${(error as Error).message}`);
      this.lastWarnMs = now;
      this.unreported = 0;
    }
  }
}

function reasonOf(error: unknown): AsyncFailureReason {
  if (!(error instanceof BrokerError)) return 'error';
  switch (error.code) {
    case BrokerErrorCode.SubscriberNotFound:
      return 'no_subscriber';
    case BrokerErrorCode.Overflow:
      return 'overflow';
    default:
      return 'error';
  }
}
