import { isValidSubject } from '../broker/subject.js';

/**
 * NATS subject wildcards: a pattern is a subject whose tokens may be `*` (exactly one token) or,
 * as its last token only, `>` (one or more tokens). `orders.*` matches `orders.created` but not
 * `orders` nor `orders.eu.created`; `orders.>` matches `orders.created` and `orders.eu.created` but
 * not `orders`; `>` matches every subject. A wildcard is a whole token: `ord*` and `a>` are refused.
 */
export function isValidSubjectPattern(pattern: unknown): pattern is string {
  if (!isValidSubject(pattern)) return false;
  const tokens = pattern.split('.');
  return tokens.every((token, i) => (token.includes('>') ? token === '>' && i === tokens.length - 1 : token === '*' || !token.includes('*')));
}

/** Whether `subject` (a valid subject) matches `pattern` (a valid pattern). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return tokens.length > i;
    if (i >= tokens.length) return false;
    if (wanted[i] !== '*' && wanted[i] !== tokens[i]) return false;
  }
  return tokens.length === wanted.length;
}

/**
 * Whether `outer` covers `inner` (both valid patterns): every subject `inner` matches, `outer`
 * matches too. `orders.*` covers `orders.*` and `orders.eu`, not `orders.>` (it matches
 * `orders.eu.late`) nor `>`; `orders.>` covers `orders.*.late` and `orders.>`. A subscribe to a
 * pattern needs a permission covering it, not just matching it as if its wildcards were tokens.
 */
export function patternCovers(outer: string, inner: string): boolean {
  const wide = outer.split('.');
  const narrow = inner.split('.');
  for (let i = 0; i < wide.length; i++) {
    if (wide[i] === '>') return narrow.length > i;
    if (i >= narrow.length || narrow[i] === '>') return false;
    if (wide[i] !== '*' && wide[i] !== narrow[i]) return false;
  }
  return narrow.length === wide.length;
}

/**
 * A set of patterns, as a predicate on subjects. Literal subjects are found in a Set; only the
 * patterns with wildcards are tried one by one. Answers are remembered for the last few thousand
 * subjects asked about, as a client publishes to the same few subjects over and over.
 */
export class SubjectPatterns {
  private readonly literals: Set<string>;
  private readonly wildcards: string[];
  private readonly matchAll: boolean;
  private readonly answers = new Map<string, boolean>();

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (!isValidSubjectPattern(pattern)) throw new Error(`invalid subject pattern ${JSON.stringify(pattern)}`);
    }
    this.matchAll = patterns.includes('>');
    this.literals = new Set(patterns.filter((pattern) => !/[*>]/.test(pattern)));
    this.wildcards = patterns.filter((pattern) => /[*>]/.test(pattern));
  }

  matches(subject: string): boolean {
    if (this.matchAll || this.literals.has(subject)) return true;
    if (this.wildcards.length === 0) return false;
    let answer = this.answers.get(subject);
    if (answer === undefined) {
      answer = this.wildcards.some((pattern) => subjectMatches(pattern, subject));
      if (this.answers.size >= REMEMBERED_ANSWERS) this.answers.clear();
      this.answers.set(subject, answer);
    }
    return answer;
  }

  /**
   * Whether one of the patterns covers `pattern` (patternCovers): for a subscribe, whose subject may
   * be a pattern. A subject without wildcards is covered when it matches.
   */
  covers(pattern: string): boolean {
    if (this.matchAll) return true;
    if (!/(?:^|\.)[*>](?:\.|$)/.test(pattern)) return this.matches(pattern);
    return this.wildcards.some((wide) => patternCovers(wide, pattern));
  }
}

/** Bounds the memory of SubjectPatterns' answers: at most 256 characters a subject. */
const REMEMBERED_ANSWERS = 4096;
