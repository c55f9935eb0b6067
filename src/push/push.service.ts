import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BrokerService } from '../broker/broker.service.js';
import type { AckSettings, SubscribeOptions, SubscriberInfo } from '../broker/store/message-store.js';
import { PUSH_REGISTRY, type PushRegistry, type PushSettings, type PushSubscription } from '../broker/store/push/push-registry.js';
import { INVALID_BODY_MESSAGE, RequestValidationError } from '../common/validation/request-validation.error.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { PushClient } from './push-client.js';
import type { PushObserver } from './push-outcome.js';
import { PushUrlPolicy } from './push-url-policy.js';
import { keyOf, PushWorker, type PushWorkerHost } from './push-worker.js';

/** How often every instance lists the push registry, to learn of push subscribers made elsewhere. */
export const PUSH_REFRESH_MS = 2000;
/** Entries one call of the listing reads. */
const REFRESH_PAGE = 100;

/** A subscriber just made with pushUrl. */
export type PushSubscriberInfo = SubscriberInfo & { push: PushSettings };

/**
 * Webhook subscriptions: a push subscriber is an acknowledged subscriber whose messages this broker
 * takes and POSTs (PushWorker). Which ones exist is in the store's push registry, so every instance
 * sharing a store runs a worker for each (learnt at start and every PUSH_REFRESH_MS), and the store
 * gives each message to one of them at a time.
 */
@Injectable()
export class PushService implements PushWorkerHost, OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Where each push request is reported (set once, by the metrics). */
  observer: PushObserver | undefined;
  readonly client: PushClient;
  private readonly logger = new Logger('Push');
  private readonly policy: PushUrlPolicy;
  private readonly timeoutMs: number;
  private readonly workers = new Map<string, PushWorker>();
  /** Registry entries whose URL this instance's push.allowed-urls refuses: warned of once each. */
  private readonly refused = new Set<string>();
  private refreshTimer?: NodeJS.Timeout;
  private refreshing = false;
  private stopped = false;

  constructor(
    { push }: GopherMqConfig,
    readonly broker: BrokerService,
    @Inject(PUSH_REGISTRY) private readonly registry: PushRegistry,
  ) {
    this.policy = new PushUrlPolicy(push.allowedUrls);
    this.timeoutMs = push.timeoutMs;
    this.client = new PushClient(push.timeoutMs, push.signingSecret);
  }

  /**
   * Messages pending (not yet taken) for the push subscribers this instance pushes, read from the
   * store now: on Redis one small call each, sent together (auto-pipelined). A call that fails counts 0.
   */
  async waitingMessages(): Promise<number> {
    const counts = await Promise.all(
      [...this.workers.values()].map(({ subscription: { subject, id } }) =>
        Promise.resolve()
          .then(() => this.broker.store.pendingCount(subject, id))
          .catch(() => undefined),
      ),
    );
    return counts.reduce<number>((total, count) => total + (count ?? 0), 0);
  }

  /** Push subscribers this instance is pushing. */
  get subscribers(): number {
    return this.workers.size;
  }

  /**
   * A push subscriber of `subject`: the URL is checked (push.allowed-urls), the subscriber made as any
   * acknowledged one, then listed in the registry and pushed from here at once (from the other
   * instances within PUSH_REFRESH_MS). A registry that fails leaves no subscriber behind.
   */
  async subscribe(subject: string, ack: AckSettings, pushUrl: string, options?: SubscribeOptions): Promise<PushSubscriberInfo> {
    const url = this.policy.check(pushUrl);
    if (ack.ackWaitMs <= this.timeoutMs) {
      throw new RequestValidationError(INVALID_BODY_MESSAGE, [`ackWaitMs: must be above push.timeout-ms (${this.timeoutMs}) for a push subscriber`]);
    }
    const subscriber = await this.broker.subscribe(subject, ack, options);
    const push: PushSettings = { url, concurrency: subscriber.ack!.maxAckPending! };
    try {
      await this.registry.register(subject, subscriber.id, push);
    } catch (error) {
      await Promise.resolve(this.broker.unsubscribe(subject, subscriber.id)).catch(() => undefined);
      throw error;
    }
    this.start({ subject, id: subscriber.id, push });
    return { ...subscriber, push };
  }

  onApplicationBootstrap(): void {
    if (!this.policy.enabled) return;
    void this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), PUSH_REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** No new pushes; requests in flight are abandoned (their messages come back after their deadline). Idempotent. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    for (const worker of this.workers.values()) worker.stop();
    this.workers.clear();
    await this.client.close();
  }

  gone(worker: PushWorker): void {
    if (this.workers.get(worker.key) === worker) this.workers.delete(worker.key);
    const { subject, id } = worker.subscription;
    Promise.resolve()
      .then(() => this.registry.remove(subject, id))
      .catch(() => undefined); // listed still: the next instance to find it gone removes it
  }

  /** Reads the whole registry, a page per call, and starts a worker for each entry without one. */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    try {
      let cursor = '';
      do {
        const page = await this.registry.list(cursor, REFRESH_PAGE);
        for (const subscription of page.subscriptions) this.start(subscription);
        cursor = page.cursor;
      } while (cursor !== '' && !this.stopped);
    } catch (error) {
      this.logger.warn(`could not list push subscribers (${(error as Error).message}); trying again in ${PUSH_REFRESH_MS} ms`);
    } finally {
      this.refreshing = false;
    }
  }

  private start(subscription: PushSubscription): void {
    const key = keyOf(subscription.subject, subscription.id);
    if (this.stopped || this.workers.has(key)) return;
    if (!this.policy.allows(subscription.push.url)) {
      if (!this.refused.has(key) && this.refused.size < 10_000) {
        this.refused.add(key);
        this.logger.warn(`not pushing subscriber ${subscription.id} of "${subscription.subject}": its URL is outside this broker's push.allowed-urls`);
      }
      return;
    }
    const worker = new PushWorker(subscription, this);
    this.workers.set(key, worker);
    void worker.run();
  }
}
