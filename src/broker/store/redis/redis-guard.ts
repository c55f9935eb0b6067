import { Logger } from '@nestjs/common';
import { BrokerError } from '../../broker.error.js';
import type { StoreObserver } from '../message-store.js';
import type { RedisClient } from './redis-client.js';

/** How often a stalled Redis is asked whether it answers again. */
const PROBE_INTERVAL_MS = 100;

class StoreTimeout extends Error {
  constructor(operation: string, ms: number) {
    super(`${operation} got no answer within ${ms} ms`);
    this.name = 'StoreTimeout';
  }
}

/**
 * Every store operation goes through here, so that each request has one deadline on Redis,
 * whatever it calls:
 * - an operation as a whole (several scripts, reads after them) answers within
 *   `redis.command-timeout-ms`, or fails with 503 `store unavailable`;
 * - a call that got no answer in time (Redis paused, a network black hole) marks Redis stalled:
 *   until a ping answers again (asked every PROBE_INTERVAL_MS), operations fail at once instead of
 *   each waiting the timeout out, queued behind the others; the rate limiter's calls too
 *   (`guardedClient`), so a request that checks its rate limit first does not wait twice.
 * A Redis that refuses connections fails every call at once anyway (no offline queue).
 */
export class RedisGuard {
  observer?: StoreObserver;
  private readonly logger = new Logger('RedisStore');
  private up = true;
  private stalled = false;
  private probing?: NodeJS.Timeout;
  private ping?: Promise<boolean>;
  private lastErrorLogMs = 0;
  /**
   * How to fail each call waiting for Redis now. Once one call times out, every call sent before it
   * is queued behind it on the connection: they fail at once too, instead of each waiting out its own
   * deadline (a long-poll whose wait ended during a stall answered its timeout after the stall began).
   */
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(
    private readonly client: RedisClient,
    private readonly timeoutMs: number,
  ) {}

  /** Runs one store operation, timed, within the deadline; a Redis failure becomes BrokerError.storeUnavailable. */
  async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    if (this.stalled) {
      this.observer?.call(operation, 0, true);
      throw BrokerError.storeUnavailable();
    }
    let timer: NodeJS.Timeout | undefined;
    let fail: ((error: Error) => void) | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        fail = reject;
        this.waiting.add(reject);
        timer = setTimeout(() => reject(new StoreTimeout(operation, this.timeoutMs)), this.timeoutMs);
      });
      const result = await Promise.race([work(), deadline]);
      this.up = true;
      this.observer?.call(operation, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      if (error instanceof BrokerError) throw error;
      this.failed(operation, error as Error);
      this.observer?.call(operation, (performance.now() - started) / 1000, true);
      throw BrokerError.storeUnavailable();
    } finally {
      clearTimeout(timer);
      this.waiting.delete(fail!);
    }
  }

  /** A call of the store's own background work failed: reported like a request's. */
  failed(operation: string, error: Error): void {
    this.up = false;
    if (isTimeout(error)) this.markStalled();
    this.logError(operation, error);
  }

  /** Whether Redis answers now (one ping at a time, within the deadline): for /ready. */
  isAvailable(): Promise<boolean> {
    if (this.stalled) return Promise.resolve(false);
    this.ping ??= this.pingOnce().finally(() => (this.ping = undefined));
    return this.ping;
  }

  /** Waits (at most the deadline) for the first connection; true once Redis answers. */
  async whenReady(ready: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, this.timeoutMs)))]);
    clearTimeout(timer);
    return this.pingOnce();
  }

  /**
   * The client as @fastify/rate-limit sees it: its scripts fail at once while Redis is stalled (the
   * limiter then lets the request through, `skipOnError`, and the store answers 503), and a call of
   * theirs that times out marks Redis stalled for every other request.
   */
  guardedClient(): RedisClient {
    const guard = this;
    const client = this.client as unknown as Record<string, (...args: unknown[]) => unknown>;
    const wrapper: Record<string, unknown> = {
      defineCommand(name: string, definition: unknown) {
        (client.defineCommand as (name: string, definition: unknown) => void).call(guard.client, name, definition);
        wrapper[name] = (...args: unknown[]) => {
          const callback = args.pop() as (error: Error | null, result?: unknown) => void;
          if (guard.stalled) return callback(BrokerError.storeUnavailable());
          // Its own deadline too: ioredis sends a command only after the auto-pipeline before it
          // has answered, so behind a stalled one its timeout would start late.
          let answered = false;
          const answer = (error: Error | null, result?: unknown) => {
            if (answered) return;
            answered = true;
            clearTimeout(timer);
            if (error && isTimeout(error)) guard.failed('rate-limit', error);
            callback(error, result);
          };
          const timedOut = () => answer(new StoreTimeout('rate-limit', guard.timeoutMs));
          const timer = setTimeout(timedOut, guard.timeoutMs);
          guard.waiting.add(timedOut);
          client[name].call(guard.client, ...args, (error: Error | null, result?: unknown) => {
            guard.waiting.delete(timedOut);
            answer(error, result);
          });
        };
      },
    };
    return wrapper as unknown as RedisClient;
  }

  close(): void {
    clearTimeout(this.probing);
    this.probing = undefined;
  }

  private async pingOnce(): Promise<boolean> {
    try {
      await this.call('ping', () => this.client.ping());
      return true;
    } catch {
      return false;
    }
  }

  private markStalled(): void {
    if (this.stalled) return;
    this.stalled = true;
    for (const fail of [...this.waiting]) fail(new StoreTimeout('a call queued behind it', this.timeoutMs));
    this.waiting.clear();
    this.logger.warn(`Redis did not answer within ${this.timeoutMs} ms: requests answer 503 "store unavailable" at once until it does`);
    const probe = () => {
      this.client.ping().then(
        () => {
          this.stalled = false;
          this.probing = undefined;
          this.logger.log('Redis answers again');
        },
        () => (this.probing = setTimeout(probe, PROBE_INTERVAL_MS).unref()),
      );
    };
    probe();
  }

  /** At most one line per 10 s: a Redis outage fails every request. */
  private logError(operation: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogMs < 10_000) return;
    this.lastErrorLogMs = now;
    this.logger.error(`Redis ${operation} failed: ${error.message}`);
  }

  /** Whether the last call succeeded (for the store's own bookkeeping). */
  get isUp(): boolean {
    return this.up && !this.stalled;
  }
}

/** ioredis's command timeout, or the deadline of an operation. */
function isTimeout(error: Error): boolean {
  return error instanceof StoreTimeout || /timed out/i.test(error.message);
}
