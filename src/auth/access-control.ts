import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler, RequestPayload } from 'fastify';
import { isValidSubject } from '../broker/subject.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { AccessTokens } from './access-tokens.js';
import type { Principal } from './principal.js';
import { NO_TOKEN, RequestDenials, type DenialReason } from './request-denials.js';
import { SubscriberIds } from './subscriber-ids.js';

/** What a route's body needs its caller's token to allow. */
type Rule = 'publish' | 'publish-each' | 'subscribe' | 'own-subscriber' | 'manage';

/** Every API route; one missing here is refused to every token (403), so a new route cannot slip through. */
const RULES: Record<string, Rule> = {
  '/api/publish': 'publish',
  '/api/publish/async': 'publish',
  '/api/publish/batch': 'publish-each', // each entry is checked as it is published, and answers `forbidden` on its own
  '/api/subscribe': 'subscribe',
  '/api/unsubscribe': 'own-subscriber',
  '/api/fetch': 'own-subscriber',
  '/api/ack': 'own-subscriber',
  '/api/nack': 'own-subscriber',
  '/api/extend': 'own-subscriber',
  '/api/stream': 'own-subscriber', // without `id`: the subscribe permission for its ephemeral subscriber
  // The management API: tokens with `manage: true` only; it takes and shows store ids, untagged.
  '/api/admin/subjects': 'manage',
  '/api/admin/subjects/:subject': 'manage',
  '/api/admin/peek': 'manage',
  '/api/admin/purge': 'manage',
  '/api/admin/unsubscribe': 'manage',
  '/api/admin/stats': 'manage',
};
/** The one route that also takes its token from the query (`access_token`): EventSource cannot send headers. */
const QUERY_TOKEN_ROUTE = '/api/stream';
const API_PREFIX = '/api/';
const SUBSCRIBE_ROUTE = '/api/subscribe';

const PRINCIPAL = Symbol('gophermq.principal');
/** `null`: not looked up yet; `false`: no known token. */
type IdentifiedRequest = FastifyRequest & { [PRINCIPAL]: Principal | false | null };
const LAST_TOKEN = Symbol('gophermq.lastToken');
type AuthenticatedSocket = Socket & { [LAST_TOKEN]?: { header: string; principal: Principal } };
type RequestBody = { subject?: unknown; id?: unknown; deadLetterSubject?: unknown } | null | undefined;
type StreamQuery = { access_token?: unknown } | undefined;

const UNAUTHORIZED = JSON.stringify({ message: 'unauthorized' });
const FORBIDDEN = JSON.stringify({ message: 'forbidden' });
const BAD_ID = JSON.stringify({ message: 'bad id' });
const ALLOW_EVERYTHING = () => true;
/** The id each client sent, by its body, for the answers that echo it (fetch). */
const sentIds = new WeakMap<object, string>();

/**
 * Access control, in Fastify hooks on every API route (off unless auth.enable):
 * - preParsing, before the body is read: no known bearer token, 401;
 * - preHandler, with the parsed body: a subject the token may not publish or subscribe to, 403; a
 *   subscriber id that is not this token's, 404 `bad id`, else the store's id in its place;
 * - preSerialization: the id a subscribe answers is tagged with the token (see SubscriberIds).
 * A body the hooks cannot read (no valid subject, no string id) is left to the route's validation,
 * which answers 400 as without auth. Batch entries are checked one by one by the publish itself
 * (@PublishPermission()), so the permitted ones are still published.
 */
@Injectable()
export class AccessControl {
  private readonly enabled: boolean;
  private readonly tokens: AccessTokens;
  private readonly ids: SubscriberIds;

  constructor(
    private readonly denials: RequestDenials,
    { auth }: GopherMqConfig,
  ) {
    this.enabled = auth.enable;
    this.tokens = new AccessTokens(auth);
    this.ids = new SubscriberIds(auth.subscriberIdSecret);
  }

  /**
   * Adds the hooks to every API route as Fastify declares it, so the route (and its rule) is known
   * once, not looked up per request. Call before the app's routes are registered (`app.init()`).
   */
  useOn(fastify: FastifyInstance): void {
    if (!this.enabled) return;
    fastify.decorateRequest(PRINCIPAL, null);
    fastify.addHook('onRoute', (route) => {
      if (!route.url.startsWith(API_PREFIX)) return;
      const rule = RULES[route.url];
      const authorize = rule === undefined ? this.refuseEveryone(route.url) : this.authorizer(rule, route.url);
      route.preParsing = [...asArray(route.preParsing), this.authenticate];
      route.preHandler = [...asArray(route.preHandler), authorize];
      if (route.url === SUBSCRIBE_ROUTE) route.preSerialization = [...asArray(route.preSerialization), this.tagNewSubscriber];
    });
  }

  /** The token the request carries (looked up once per request); undefined without auth or a known token. */
  principalOf(request: FastifyRequest): Principal | undefined {
    if (!this.enabled) return undefined;
    const identified = request as IdentifiedRequest;
    identified[PRINCIPAL] ??= this.identify(request.headers.authorization ?? queryToken(request), request.raw.socket) ?? false;
    return identified[PRINCIPAL] || undefined;
  }

  /** The id a client is given for a subscriber the store calls `storeId`: tagged with its token when auth is on. */
  clientIdOf(request: FastifyRequest, storeId: string): string {
    const principal = this.principalOf(request);
    return principal ? this.ids.tagged(storeId, principal.name) : storeId;
  }

  /**
   * A client sends the same header on every request of its connection: the connection keeps the
   * last one that identified a token, so the next is compared with it (in constant time) instead of
   * hashed again. The SHA-256 was the largest cost of auth per request.
   */
  private identify(authorization: string | undefined, socket: AuthenticatedSocket): Principal | undefined {
    if (authorization === undefined) return undefined;
    const last = socket[LAST_TOKEN];
    if (last !== undefined && sameInConstantTime(last.header, authorization)) return last.principal;
    const principal = this.tokens.identify(authorization);
    if (principal !== undefined) socket[LAST_TOKEN] = { header: authorization, principal };
    return principal;
  }

  private readonly authenticate = (request: FastifyRequest, reply: FastifyReply, payload: RequestPayload, done: (error: null, payload: RequestPayload) => void): void => {
    if (this.principalOf(request) !== undefined) {
      done(null, payload);
      return;
    }
    this.denials.record(NO_TOKEN, 'unauthorized', `${request.method} ${pathOf(request)}`);
    reply.code(401).header('www-authenticate', 'Bearer').type('application/json; charset=utf-8').send(UNAUTHORIZED);
  };

  private authorizer(rule: Rule, route: string): preHandlerHookHandler {
    return (request, reply, done) => {
      const principal = this.principalOf(request)!;
      if (rule === 'manage') return principal.mayManage ? done() : this.deny(reply, 403, FORBIDDEN, principal, 'forbidden', `${route}: a token without manage`);
      // A GET (the stream) names its subject and subscriber in the query.
      const body = (request.method === 'GET' ? request.query : request.body) as RequestBody;
      const subject = body?.subject;
      if (rule === 'publish-each' || !isValidSubject(subject)) return done();
      if (rule === 'publish' ? !principal.mayPublish(subject) : !principal.maySubscribe(subject)) {
        return this.deny(reply, 403, FORBIDDEN, principal, 'forbidden', `${rule} on "${subject}"`);
      }
      // The broker publishes there on the subscriber's behalf: it needs the right to publish there.
      const deadLetterSubject = body!.deadLetterSubject;
      if (rule === 'subscribe' && isValidSubject(deadLetterSubject) && !principal.mayPublish(deadLetterSubject)) {
        return this.deny(reply, 403, FORBIDDEN, principal, 'forbidden', `deadLetterSubject "${deadLetterSubject}"`);
      }
      if (rule === 'own-subscriber' && typeof body!.id === 'string') {
        const storeId = this.ids.storeIdOf(body!.id, principal.name);
        if (storeId === undefined) return this.deny(reply, 404, BAD_ID, principal, 'foreign_id', `${route} on "${subject}" with an id not of this token`);
        sentIds.set(body!, body!.id);
        body!.id = storeId;
      }
      done();
    };
  }

  private refuseEveryone(route: string): preHandlerHookHandler {
    return (request, reply) => this.deny(reply, 403, FORBIDDEN, this.principalOf(request)!, 'forbidden', `${route}: a route without access rule`);
  }

  private readonly tagNewSubscriber = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void => {
    const answer = payload as { id?: unknown } | null;
    if (reply.statusCode !== 200 || typeof answer?.id !== 'string') {
      done(null, payload);
      return;
    }
    done(null, { ...answer, id: this.ids.tagged(answer.id, this.principalOf(request)!.name) });
  };

  private deny(reply: FastifyReply, status: number, body: string, principal: Principal, reason: DenialReason, what: string): void {
    this.denials.record(principal.name, reason, what);
    reply.code(status).type('application/json; charset=utf-8').send(body);
  }
}

/**
 * `@PublishPermission() mayPublish`: whether the request's token may publish to a subject, for the
 * entries of a batch; every subject when auth is off.
 */
export const PublishPermission = createParamDecorator((_: unknown, context: ExecutionContext): ((subject: string) => boolean) => {
  const principal = context.switchToHttp().getRequest<IdentifiedRequest>()[PRINCIPAL];
  return principal ? principal.mayPublish : ALLOW_EVERYTHING;
});

/**
 * `@SubscriberOwner() owner`: who a named subscriber created by the request belongs to, the
 * token's name; undefined when auth is off.
 */
export const SubscriberOwner = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const principal = context.switchToHttp().getRequest<IdentifiedRequest>()[PRINCIPAL];
  return principal ? principal.name : undefined;
});

/** The subscriber id as the client sent it (with its tag when auth is on), for answers that echo it. */
export function sentIdOf(body: { id: string }): string {
  return sentIds.get(body) ?? body.id;
}

/**
 * Whether two strings are equal, in a time that depends only on their length (as
 * crypto.timingSafeEqual, without making two Buffers: a tenth of the cost, which matters per request).
 */
function sameInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** `Bearer <access_token>` of the stream route's query, as if sent in the header. */
function queryToken(request: FastifyRequest): string | undefined {
  if (request.routeOptions.url !== QUERY_TOKEN_ROUTE) return undefined;
  const token = (request.query as StreamQuery)?.access_token;
  return typeof token === 'string' ? `Bearer ${token}` : undefined;
}

/** The request's path without its query, for logs: a query may carry a token (access_token). */
export function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function asArray<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}
