/**
 * One character of a token: anything but a space, tab, CR, LF or dot, and never half of a UTF-16
 * surrogate pair: a lone surrogate cannot be written as UTF-8, so two subjects differing only in
 * one would be the same name to Redis (which stores UTF-8) and in every log. The pair alternative
 * makes the pattern mean the same with and without the regular expression's `u` flag (Ajv compiles
 * it with `u`, class-validator and isValidSubject without).
 */
const TOKEN_CHAR = '(?:[^ \\t\\r\\n.\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])';

/**
 * A subject is dot-separated tokens, as in NATS: no space, tab, CR or LF anywhere, no empty token
 * ("", "a..b", ".a", "a."), and well-formed Unicode. The same pattern feeds the request DTOs' validation.
 */
export const SUBJECT_PATTERN = `^${TOKEN_CHAR}+(\\.${TOKEN_CHAR}+)*$`;

/**
 * Longest subject in characters (Unicode code points), the length NATS recommends staying under.
 * Every subscriber keeps its subject, so without a bound 100,000 subscribers could hold 100 GB.
 */
export const MAX_SUBJECT_LENGTH = 256;

const subjectRegExp = new RegExp(SUBJECT_PATTERN);

export function isValidSubject(subject: unknown): subject is string {
  return typeof subject === 'string' && isShortEnough(subject) && subjectRegExp.test(subject);
}

function isShortEnough(subject: string): boolean {
  // UTF-16 units are never fewer than code points: count code points only when the quick check fails.
  return subject.length <= MAX_SUBJECT_LENGTH || [...subject].length <= MAX_SUBJECT_LENGTH;
}
