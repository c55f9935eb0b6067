import { GopherMQAdmin, withQuery } from './admin.js';
import { Consumer, type ConsumeOptions, type ConsumeTarget, type MessageHandler } from './consumer.js';
import { GopherMQConnectionError, GopherMQError } from './errors.js';
import { MessageStream } from './message-stream.js';
import { DEFAULT_RETRY, retryDelayMs, sleep, type RetryOptions } from './retry.js';
import { MAX_SEQS_PER_REQUEST, ROUTES, type RetryPolicy, type Route } from './routes.js';
import { FetchTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.js';
import type {
  AckAnswer,
  ExtendAnswer,
  FetchAnswer,
  FetchOptions,
  Message,
  NackAnswer,
  NackOptions,
  PublishBatchAnswer,
  StreamOptions,
  SubscribeOptions,
  SubscriberRef,
  Subscription,
} from './types.js';

export interface ClientOptions {
  /** The broker's address; default `http://127.0.0.1:8082`. */
  url?: string;
  /** A bearer token (a secret of auth.tokens, or the admin token), sent on every call. */
  token?: string;
  /** Retries of the calls that are safe to repeat (never a publish unless it says `retry`); `false`: none. */
  retry?: RetryOptions | false;
  /** How requests are sent; default: `node:http` with keep-alive on Node, the platform's `fetch()` elsewhere. */
  transport?: Transport;
}

/** What every call takes besides its own fields. */
export interface CallOptions {
  /** Aborts the call (and its retries); it rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Retries of this call: `false` none, an object its own limits. A publish is retried only with
   * this set (`true` or limits): the broker may have stored a message whose answer was lost, so a
   * repeat can deliver it twice.
   */
  retry?: RetryOptions | boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:8082';

/** A client of one broker: every route, typed from the broker's OpenAPI document. */
export class GopherMQ {
  readonly url: string;
  private readonly transport: Transport;
  private readonly headers: Record<string, string>;
  /** For a call without a body (GET /ready). */
  private readonly bodilessHeaders: Record<string, string>;
  private readonly retry: Required<RetryOptions> | false;
  /** The management API (`/api/admin/*`): subjects, a subject, peek, purge, a forced unsubscribe, stats. */
  readonly admin: GopherMQAdmin;

  constructor(options: ClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_URL).replace(/\/+$/, '');
    this.transport = options.transport ?? new FetchTransport(this.url);
    this.bodilessHeaders = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
    this.headers = { 'content-type': 'application/json', ...this.bodilessHeaders };
    this.retry = options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry };
    this.admin = new GopherMQAdmin((route, body, callOptions, policy, path) => this.call(route, body, callOptions, policy, path));
  }

  /** Publishes one message to every subscriber of the subject (404 `subscriber not found` when it has none and keeps nothing). */
  async publish(subject: string, data: string, options: CallOptions = {}): Promise<void> {
    await this.call(ROUTES.publish, { subject, data }, options, 'never');
  }

  /** Hands one message to the broker's background publisher: answers once it is queued; a later failure is not reported. */
  async publishAsync(subject: string, data: string, options: CallOptions = {}): Promise<void> {
    await this.call(ROUTES.publishAsync, { subject, data }, options, 'never');
  }

  /** Publishes several messages in order (at most broker.max-batch-size, default 1000); each is published or refused on its own. */
  async publishBatch(messages: readonly Message[], options: CallOptions = {}): Promise<PublishBatchAnswer['results']> {
    const answer = await this.call<PublishBatchAnswer>(ROUTES.publishBatch, { messages }, options, 'never');
    return answer.results;
  }

  /** Creates a subscriber on the subject (or answers the one of that `name`); see `SubscribeOptions`. */
  async subscribe(subject: string, options: SubscribeOptions & CallOptions = {}): Promise<Subscription> {
    const { signal, retry, ...request } = options;
    // An anonymous subscribe sent twice makes two subscribers; a named one answers the same.
    return this.call<Subscription>(ROUTES.subscribe, { subject, ...request }, { signal, retry }, request.name === undefined ? 'refused' : 'safe');
  }

  /** Removes the subscriber; a fetch waiting for it answers at once. */
  async unsubscribe(subscriber: SubscriberRef, options: CallOptions = {}): Promise<void> {
    await this.call(ROUTES.unsubscribe, { subject: subscriber.subject, id: subscriber.id }, options, 'safe');
  }

  /**
   * Takes the subscriber's pending messages (`max` of them at most), waiting up to `waitMs` for one
   * when none is pending. `ack` (an acknowledged subscriber, at most 1000 seqs) acks those first, in
   * the same request: the answer's `acked` says how many were in flight. `lean`: the seqs (delivery
   * counts, times, subjects) as arrays beside `data` instead of `messages` (`consumedOf` reads either form).
   */
  async fetch(subscriber: SubscriberRef, options: FetchOptions & CallOptions = {}): Promise<FetchAnswer> {
    const { signal, retry, max, waitMs, ack, lean } = options;
    return this.call<FetchAnswer>(ROUTES.fetch, { subject: subscriber.subject, id: subscriber.id, max, waitMs, ack, lean }, { signal, retry }, 'safe');
  }

  /** Settles in-flight messages of an acknowledged subscriber for good; answers how many were in flight. */
  async ack(subscriber: SubscriberRef, seqs: readonly number[], options: CallOptions = {}): Promise<number> {
    return this.settle(seqs, (chunk) => this.call<AckAnswer>(ROUTES.ack, { subject: subscriber.subject, id: subscriber.id, seqs: chunk }, options, 'safe').then((a) => a.acked));
  }

  /** Makes in-flight messages available again, at once or after `delayMs`; answers how many were in flight. */
  async nack(subscriber: SubscriberRef, seqs: readonly number[], options: NackOptions & CallOptions = {}): Promise<number> {
    const { signal, retry, delayMs } = options;
    return this.settle(seqs, (chunk) =>
      this.call<NackAnswer>(ROUTES.nack, { subject: subscriber.subject, id: subscriber.id, seqs: chunk, delayMs }, { signal, retry }, 'safe').then((a) => a.nacked),
    );
  }

  /** Restarts the deadline (ackWaitMs from now) of in-flight messages; answers how many were in flight. */
  async extend(subscriber: SubscriberRef, seqs: readonly number[], options: CallOptions = {}): Promise<number> {
    return this.settle(seqs, (chunk) => this.call<ExtendAnswer>(ROUTES.extend, { subject: subscriber.subject, id: subscriber.id, seqs: chunk }, options, 'safe').then((a) => a.extended));
  }

  /**
   * The subscriber's messages as they become available (GET /api/stream, as JSON lines), an async
   * iterator: with `id`, an existing subscriber's; without, an ephemeral subscriber's, made for this
   * stream and removed by the broker when it ends. Breaking out of the loop, `close()` or the signal
   * closes the connection. Opening is retried as a fetch is (429, 503, no answer); a stream that
   * breaks later is not reopened: messages taken with it may be lost (at most once), as with a fetch.
   */
  stream(subject: string, options: StreamOptions & CallOptions = {}): MessageStream {
    const { signal, retry, ...query } = options;
    if (this.transport.openStream === undefined) throw new TypeError('this transport cannot read streams (it has no openStream)');
    const path = withQuery(ROUTES.stream.path, { subject, ...query });
    const headers = { ...this.bodilessHeaders, accept: 'application/x-ndjson' };
    return new MessageStream(() => this.attempt(this.transport.openStream!.bind(this.transport), { method: 'GET', path, headers, signal }, { signal, retry }, 'safe'));
  }

  /** Resolves while the broker accepts requests (204 on /ready); rejects with its 503 or the connection failure. Not retried unless asked: a probe wants the state now. */
  async ready(options: CallOptions = {}): Promise<void> {
    await this.call(ROUTES.ready, undefined, options, 'never');
  }

  /**
   * Runs `handler` for every message of a subscriber until stopped: a `Subscription`, or a subject
   * and subscribe options (subscribed first; a named subscriber is subscribed again after a 404).
   */
  consume(target: ConsumeTarget, handler: MessageHandler, options: ConsumeOptions = {}): Consumer {
    return new Consumer(this, target, handler, options);
  }

  /** Closes idle keep-alive connections, so a Node process can exit at once. */
  close(): void {
    this.transport.close?.();
  }

  private async settle(seqs: readonly number[], send: (chunk: readonly number[]) => Promise<number>): Promise<number> {
    if (seqs.length <= MAX_SEQS_PER_REQUEST) return send(seqs);
    let total = 0;
    for (let start = 0; start < seqs.length; start += MAX_SEQS_PER_REQUEST) total += await send(seqs.slice(start, start + MAX_SEQS_PER_REQUEST));
    return total;
  }

  /**
   * One call with its retries: by the route's policy, unless the caller says `retry` (any call,
   * publish included, becomes repeatable: the caller accepts a possible duplicate) or `false`.
   */
  private async call<T>(route: Route, body: unknown, options: CallOptions, policy: RetryPolicy, path: string = route.path): Promise<T> {
    const request = {
      method: route.method,
      path,
      headers: body === undefined ? this.bodilessHeaders : this.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    };
    const answer = await this.attempt((r) => this.transport.request(r), request, options, policy);
    return (answer.body === '' ? undefined : JSON.parse(answer.body)) as T;
  }

  /** Sends the request until it answers 2xx (its answer), or throws the last refusal or connection failure once retries are over. */
  private async attempt<A extends TransportResponse>(send: (request: TransportRequest) => Promise<A>, request: TransportRequest, options: CallOptions, policy: RetryPolicy): Promise<A> {
    const { signal, retry } = options;
    const explicit = retry !== undefined && retry !== false;
    const limits = retry === false || (!explicit && this.retry === false) ? undefined : { ...DEFAULT_RETRY, ...(this.retry || {}), ...(typeof retry === 'object' ? retry : {}) };
    const effective: RetryPolicy = limits === undefined ? 'never' : explicit ? 'safe' : policy;
    request.repeatable = effective !== 'never';
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        const answer = await send(request);
        if (answer.status >= 200 && answer.status < 300) return answer;
        failure = GopherMQError.fromAnswer(answer.status, answer.body, answer.retryAfter);
      } catch (error) {
        if (!(error instanceof GopherMQConnectionError)) throw error;
        failure = error;
      }
      const wait = limits === undefined ? undefined : retryDelayMs(failure, attempt, effective, limits);
      if (wait === undefined) throw failure;
      await sleep(wait, signal);
    }
  }
}
