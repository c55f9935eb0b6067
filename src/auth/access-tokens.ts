import { hash, timingSafeEqual } from 'node:crypto';
import { ADMIN_TOKEN_NAME } from '../config/config.loader.js';
import type { AuthConfig } from '../config/gophermq-config.js';
import { principal, type Principal } from './principal.js';

const BEARER = /^bearer +(\S+) *$/i;

/** The secret of an `Authorization: Bearer <secret>` header (the scheme in any case), else undefined. */
export function bearerSecret(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/** The tokens of auth.tokens and auth.admin-token, and which one a request's Authorization header carries. */
export class AccessTokens {
  private readonly principals: Principal[];

  constructor(auth: AuthConfig) {
    this.principals = auth.tokens.map(({ name, sha256, publish, subscribe, rateLimitMax, manage }) => principal(name, sha256, publish, subscribe, rateLimitMax, manage));
    if (auth.adminToken !== '') this.principals.push(principal(ADMIN_TOKEN_NAME, sha256Hex(auth.adminToken), ['>'], ['>'], undefined, true));
  }

  /**
   * The token of `Authorization: Bearer <secret>`, or undefined (no header, another scheme, an unknown
   * secret). The secret's digest is compared with every token's, each in constant time, so the time
   * taken says nothing about which token, or how much of one, it resembles.
   */
  identify(authorization: string | undefined): Principal | undefined {
    const secret = bearerSecret(authorization);
    if (secret === undefined) return undefined;
    const digest = hash('sha256', secret, 'buffer'); // one call, no Hash object: a third of createHash's cost
    let found: Principal | undefined;
    for (const candidate of this.principals) {
      if (timingSafeEqual(candidate.digest, digest)) found = candidate;
    }
    return found;
  }
}

export function sha256Hex(secret: string): string {
  return hash('sha256', secret, 'hex');
}
