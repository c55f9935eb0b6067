import { createHash, randomUUID } from 'node:crypto';
import type { DeliverPolicy } from './store/message-store.js';

/**
 * A pattern subscriber that replays (deliver other than `new`) reads a log of its own, not the
 * pattern's shared one: the replay is its alone. Its id says so (a UUID of version 8 where every
 * other subscriber's is a version 4 one), so a call with the pattern and that id finds the log
 * without a lookup: `<pattern> <id>`, a name no subject can have (a subject holds no space).
 */
export function isReplayingId(id: string): boolean {
  return id.length === 36 && id[14] === '8';
}

/**
 * A replaying subscriber's id. With a name, derived from the pattern and the name, so every
 * instance finds the same subscriber by it (its log is where the name is kept); else random.
 * Nothing is given away: a subscribe with the pattern and name answers the id anyway.
 */
export function newReplayingId(pattern: string, name?: string): string {
  const hex = name === undefined ? randomUUID().replaceAll('-', '') : createHash('sha256').update(`${pattern}\n${name}`).digest('hex').slice(0, 32);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The name of a replaying subscriber's own log. */
export function replayLogOf(pattern: string, id: string): string {
  return `${pattern} ${id}`;
}

/** Whether a log name is a replaying subscriber's own log. */
export function isReplayLog(subject: string): boolean {
  return subject.includes(' ');
}

/** The subject a client knows a log by: the pattern of a replaying subscriber's own log, else the log's own name. */
export function publicSubjectOf(subject: string): string {
  const space = subject.indexOf(' ');
  return space < 0 ? subject : subject.slice(0, space);
}

/** The log that (subject, id) of a request addresses: a replaying subscriber's own, or the subject's. */
export function logSubjectOf(subject: string, id: string): string {
  return isReplayingId(id) && !isReplayLog(subject) ? replayLogOf(subject, id) : subject;
}

/** Whether a pattern subscriber with this start replays (and so gets a log of its own). */
export function replays(deliver: DeliverPolicy | undefined): deliver is Exclude<DeliverPolicy, 'new'> {
  return deliver !== undefined && deliver !== 'new';
}

/** What every subject a pattern matches starts with: its tokens before the first wildcard, with their dot ('' for none). */
export function literalPrefixOf(pattern: string): string {
  const tokens = pattern.split('.');
  const literal = tokens.findIndex((token) => token === '*' || token === '>');
  return literal <= 0 ? '' : `${tokens.slice(0, literal).join('.')}.`;
}
