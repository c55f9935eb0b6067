import { BrokerError } from '../broker/broker.error.js';
import { isValidSubject } from '../broker/subject.js';
import { isSubscriberId } from '../broker/subscriber-id.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
const MAX_PREFIX_LENGTH = 256;
const DIGITS = /^[0-9]{1,4}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,1400}$/;

/** Query parameters as Fastify parses them: a repeated one is an array. */
export type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw BrokerError.invalidRequest(`${name}: given more than once`);
  return value;
}

/** `limit`: 1..1000, default 100. */
export function limitOf(query: Query): number {
  const text = single(query, 'limit');
  if (text === undefined) return DEFAULT_PAGE_LIMIT;
  const limit = DIGITS.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) throw BrokerError.invalidRequest(`limit: must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  return limit;
}

/** `prefix`: the start of the subjects to list ('' for all); no whitespace, at most 256 characters. */
export function prefixOf(query: Query): string {
  const prefix = single(query, 'prefix') ?? '';
  if ([...prefix].length > MAX_PREFIX_LENGTH || /[\s]/.test(prefix) || /[\uD800-\uDFFF]/u.test(prefix.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw BrokerError.invalidRequest('prefix: must be at most 256 characters, without whitespace');
  }
  return prefix;
}

/**
 * A page's cursor: the last key of the page before it, base64url-encoded so that it is opaque and
 * safe in a URL. Only a cursor this API could have answered is taken: a subject, or a subscriber id.
 */
export function encodeCursor(key: string | undefined): string | null {
  return key === undefined ? null : Buffer.from(key, 'utf8').toString('base64url');
}

export function subjectCursorOf(query: Query): string | undefined {
  return cursorOf(query, isValidSubject);
}

export function subscriberCursorOf(query: Query): string | undefined {
  return cursorOf(query, isSubscriberId);
}

function cursorOf(query: Query, isKey: (key: string) => boolean): string | undefined {
  const text = single(query, 'cursor');
  if (text === undefined) return undefined;
  const key = BASE64URL.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  if (!isKey(key) || encodeCursor(key) !== text) throw BrokerError.invalidRequest('cursor: not a cursor this API answered');
  return key;
}
