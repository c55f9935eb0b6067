import { BrokerError } from '../broker/broker.error.js';

/**
 * Percent-encoded `.`, `/` and `\` in a path: the URL parser leaves them encoded, but a receiver (or
 * a proxy before it) that decodes them could read `..` or another path out of a URL that passed.
 */
const ENCODED_PATH_SEPARATORS = /%(2e|2f|5c)/i;

/**
 * What is wrong with an entry of push.allowed-urls, or undefined: an absolute http(s) URL without
 * user, query or fragment whose path ends with `/`, so that a prefix is a whole path segment
 * (`https://hooks.internal/a/` must not admit `https://hooks.internal/ab`).
 */
export function allowedUrlProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return 'must be a string';
  const url = parse(entry);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not hold a user or password';
  if (url.search !== '' || url.hash !== '' || entry.includes('?') || entry.includes('#')) return 'must not hold a query or fragment';
  if (!url.pathname.endsWith('/')) return 'must end with / (a prefix is whole path segments)';
  if (ENCODED_PATH_SEPARATORS.test(url.pathname) || ENCODED_PATH_SEPARATORS.test(entry)) return 'must not hold percent-encoded `.`, `/` or `\\`';
  return undefined;
}

/**
 * Which URLs a push subscriber may be given (push.allowed-urls), so a client cannot make the broker
 * call internal services. A URL is judged in the form the URL parser gives it (host lowercased,
 * default port dropped, `..` and `.` resolved, `\` read as `/`), and that same form is the one the
 * broker calls: nothing is judged in one spelling and requested in another.
 */
export class PushUrlPolicy {
  /** The prefixes, each as the URL parser writes it. */
  private readonly prefixes: readonly string[];

  constructor(allowedUrls: readonly string[]) {
    this.prefixes = allowedUrls.map((entry) => parse(entry)!.href);
  }

  /** False with an empty push.allowed-urls: push delivery is off. */
  get enabled(): boolean {
    return this.prefixes.length > 0;
  }

  /** Whether a URL (already normalised, from the registry) is allowed here. */
  allows(url: string): boolean {
    return this.prefixes.some((prefix) => url.startsWith(prefix));
  }

  /** The normalised URL to push to, or a BrokerError (400): not enabled, or not allowed. */
  check(raw: string): string {
    if (!this.enabled) throw BrokerError.pushNotEnabled();
    const url = parse(raw);
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username !== '' ||
      url.password !== '' ||
      url.hash !== '' ||
      ENCODED_PATH_SEPARATORS.test(url.pathname) ||
      !this.allows(url.href)
    ) {
      throw BrokerError.pushUrlNotAllowed();
    }
    return url.href;
  }
}

function parse(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
