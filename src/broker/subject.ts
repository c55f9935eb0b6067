/**
 * A subject is dot-separated tokens, as in NATS: no space, tab, CR or LF anywhere, and no empty
 * token ("", "a..b", ".a", "a."). The same pattern feeds the request DTOs' validation.
 */
export const SUBJECT_PATTERN = '^[^ \\t\\r\\n.]+(\\.[^ \\t\\r\\n.]+)*$';

const subjectRegExp = new RegExp(SUBJECT_PATTERN);

export function isValidSubject(subject: unknown): subject is string {
  return typeof subject === 'string' && subjectRegExp.test(subject);
}
