import { HttpException, HttpStatus } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { GopherMqConfig } from '../config/gophermq-config.js';
import { AccessControl, pathOf } from './access-control.js';
import { NO_TOKEN, RequestDenials } from './request-denials.js';

const API_PREFIX = '/api/';


/** Whether any limit applies: rate-limit.max, or a token's own rate-limit-max. */
export function rateLimitIsOn({ rateLimit, auth }: GopherMqConfig): boolean {
  return rateLimit.max > 0 || (auth.enable && auth.tokens.some(({ rateLimitMax }) => (rateLimitMax ?? 0) > 0));
}

/**
 * rate-limit.max requests per rate-limit.window-ms on the API routes (@fastify/rate-limit), per token
 * when auth is on (a token's rate-limit-max overrides the max), per client address otherwise (an
 * unknown token counts against its address, so that guessing tokens is limited too); past it, 429
 * `rate limit exceeded` with Retry-After.
 *
 * Counted in this process, or in Redis when `redis` is given: then brokers sharing that Redis share
 * the limits. Must run before the app's routes are registered (before `app.init()`).
 */
export async function useRateLimit(app: NestFastifyApplication, config: GopherMqConfig, redis?: Redis | Cluster): Promise<void> {
  if (!rateLimitIsOn(config)) return;
  const access = app.get(AccessControl);
  const denials = app.get(RequestDenials);
  const fastify = app.getHttpAdapter().getInstance();
  // Health checks and the docs are not limited. Registered before the plugin's own onRoute hook, which reads it.
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) route.config = { ...route.config, rateLimit: false };
  });
  // A number when no token has its own limit, which spares the plugin a call and a promise per request.
  const overrides = config.auth.enable && config.auth.tokens.some(({ rateLimitMax }) => rateLimitMax !== undefined);
  const maxOf = (request: FastifyRequest): number => access.principalOf(request)?.rateLimitMax ?? config.rateLimit.max;
  await app.register(fastifyRateLimit, {
    global: true,
    timeWindow: config.rateLimit.windowMs,
    max: overrides ? (request) => maxOf(request) : config.rateLimit.max,
    keyGenerator: (request) => {
      const principal = access.principalOf(request);
      return principal ? `token:${principal.name}` : `ip:${normalizeIP(request.ip)}`;
    },
    // rate-limit.max or a token's rate-limit-max of 0: no limit.
    allowList: overrides || config.rateLimit.max === 0 ? (request) => maxOf(request) === 0 : undefined,
    onExceeded: (request) => denials.record(access.principalOf(request)?.name ?? NO_TOKEN, 'rate_limited', `${request.method} ${pathOf(request)} from ${request.ip}`),
    errorResponseBuilder: () => new HttpException({ message: 'rate limit exceeded' }, HttpStatus.TOO_MANY_REQUESTS),
    // While Redis does not answer, requests are not limited (they answer 503 where they need the store).
    ...(redis && { redis, nameSpace: `${config.redis.keyPrefix}rate-limit:`, skipOnError: true }),
  });
}
