/**
 * A subject is dot-separated tokens, as in NATS: no space, tab, CR or LF anywhere, and no empty
 * token ("", "a..b", ".a", "a."). The same pattern feeds the request DTOs' validation.
 */
export const SUBJECT_PATTERN = '^[^ \\t\\r\\n.]+(\\.[^ \\t\\r\\n.]+)*$';

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
