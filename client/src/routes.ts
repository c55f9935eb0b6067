import type { paths } from './openapi.js';

/** How a call may be repeated after 429, 503 or a connection failure. */
export type RetryPolicy =
  /** Any of the three: the call does nothing more when sent twice. */
  | 'safe'
  /** Only after 429: the broker refused it, so nothing was done (an anonymous subscribe would otherwise leave a second subscriber). */
  | 'refused'
  /** Never, unless the caller opts in (publish: a repeat may store the message twice). */
  | 'never';

export interface Route {
  method: 'GET' | 'POST';
  path: keyof paths;
}

/** Every route of the broker the client calls; test/client/openapi-contract.e2e-spec.ts checks this against /docs-json both ways. */
export const ROUTES = {
  publish: { method: 'POST', path: '/api/publish' },
  publishAsync: { method: 'POST', path: '/api/publish/async' },
  publishBatch: { method: 'POST', path: '/api/publish/batch' },
  subscribe: { method: 'POST', path: '/api/subscribe' },
  unsubscribe: { method: 'POST', path: '/api/unsubscribe' },
  fetch: { method: 'POST', path: '/api/fetch' },
  ack: { method: 'POST', path: '/api/ack' },
  nack: { method: 'POST', path: '/api/nack' },
  extend: { method: 'POST', path: '/api/extend' },
  stream: { method: 'GET', path: '/api/stream' },
  ready: { method: 'GET', path: '/ready' },
  adminSubjects: { method: 'GET', path: '/api/admin/subjects' },
  adminSubject: { method: 'GET', path: '/api/admin/subjects/{subject}' },
  adminPeek: { method: 'POST', path: '/api/admin/peek' },
  adminPurge: { method: 'POST', path: '/api/admin/purge' },
  adminUnsubscribe: { method: 'POST', path: '/api/admin/unsubscribe' },
  adminStats: { method: 'GET', path: '/api/admin/stats' },
} as const satisfies Record<string, Route>;

/** Most seqs one ack, nack or extend may carry (the broker's limit); the client splits longer lists. */
export const MAX_SEQS_PER_REQUEST = 1000;
