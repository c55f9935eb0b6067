import { ROUTES, type RetryPolicy, type Route } from './routes.js';
import type {
  BrokerStats,
  PeekedMessage,
  PeekOptions,
  PurgeOptions,
  SubjectDetail,
  SubjectFigures,
  SubjectPage,
  SubjectQuery,
  SubjectsQuery,
  SubscriberRef,
} from './types.js';
import type { CallOptions } from './client.js';

/** How the admin calls go out: the client's own call, with its token, retries and transport. */
export type AdminCall = <T>(route: Route, body: unknown, options: CallOptions, policy: RetryPolicy, path?: string) => Promise<T>;

/**
 * The management API (`/api/admin/*`, README "Management API"): with auth on, it needs a token whose
 * entry says `manage: true`, or the admin token. Ids here are the store's (see the README).
 */
export class GopherMQAdmin {
  constructor(private readonly call: AdminCall) {}

  /** One page of subjects with their figures, ordered by subject; pass `next` as `cursor` for the next one. */
  subjects(query: SubjectsQuery & CallOptions = {}): Promise<SubjectPage> {
    const { signal, retry, ...params } = query;
    return this.call<SubjectPage>(ROUTES.adminSubjects, undefined, { signal, retry }, 'safe', withQuery(ROUTES.adminSubjects.path, params));
  }

  /** Every subject (of `prefix`), page after page of `limit`, as an async iterator. */
  async *allSubjects(query: Omit<SubjectsQuery, 'cursor'> & CallOptions = {}): AsyncGenerator<SubjectFigures> {
    let cursor: string | undefined;
    do {
      const page = await this.subjects({ ...query, cursor });
      yield* page.subjects;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
  }

  /** A subject's figures and a page of its subscribers (ordered by id); 404 `subject not found`. */
  subject(subject: string, query: SubjectQuery & CallOptions = {}): Promise<SubjectDetail> {
    const { signal, retry, ...params } = query;
    const path = withQuery(ROUTES.adminSubject.path.replace('{subject}', encodeURIComponent(subject)), params);
    return this.call<SubjectDetail>(ROUTES.adminSubject, undefined, { signal, retry }, 'safe', path);
  }

  /** The next messages of a subscriber (`id`), or the subject's oldest, without taking them. */
  async peek(subject: string, options: PeekOptions & CallOptions = {}): Promise<PeekedMessage[]> {
    const { signal, retry, ...request } = options;
    const answer = await this.call<{ messages: PeekedMessage[] }>(ROUTES.adminPeek, { subject, ...request }, { signal, retry }, 'safe');
    return answer.messages;
  }

  /** Drops the pending messages of the subject (or of the subscriber `id`); answers how many. */
  async purge(subject: string, options: PurgeOptions & CallOptions = {}): Promise<number> {
    const { signal, retry, ...request } = options;
    // Sent again after a lost answer, it would drop what was published meanwhile: only after a 429.
    const answer = await this.call<{ purged: number }>(ROUTES.adminPurge, { subject, ...request }, { signal, retry }, 'refused');
    return answer.purged;
  }

  /** Removes any subscriber by its store id (a forced unsubscribe); 404 `bad id`. */
  async unsubscribe(subscriber: SubscriberRef, options: CallOptions = {}): Promise<void> {
    await this.call(ROUTES.adminUnsubscribe, { subject: subscriber.subject, id: subscriber.id }, options, 'safe');
  }

  /** The broker's version, store, uptime, counts, limits and totals. */
  stats(options: CallOptions = {}): Promise<BrokerStats> {
    return this.call<BrokerStats>(ROUTES.adminStats, undefined, options, 'safe');
  }
}

/** The path with its query: every value escaped, those not given left out. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}
