import { SubjectPatterns } from './subject-pattern.js';

/** A token the broker knows: who holds it and what it may do. */
export interface Principal {
  /** The token's name (never its secret): in metrics, logs, and the key of its rate limit. */
  readonly name: string;
  /** SHA-256 of its secret. */
  readonly digest: Buffer;
  readonly mayPublish: (subject: string) => boolean;
  readonly maySubscribe: (subject: string) => boolean;
  /** Its own rate-limit.max, when its entry sets rate-limit-max. */
  readonly rateLimitMax: number | undefined;
  /** May use the management API (auth.tokens `manage: true`; the admin token). */
  readonly mayManage: boolean;
}

export function principal(name: string, sha256Hex: string, publish: readonly string[], subscribe: readonly string[], rateLimitMax?: number, mayManage = false): Principal {
  const publishPatterns = new SubjectPatterns(publish);
  const subscribePatterns = new SubjectPatterns(subscribe);
  return {
    name,
    digest: Buffer.from(sha256Hex, 'hex'),
    mayPublish: (subject) => publishPatterns.matches(subject),
    // A subscribe subject may be a pattern: a permission must cover all it matches.
    maySubscribe: (subject) => subscribePatterns.covers(subject),
    rateLimitMax,
    mayManage,
  };
}
