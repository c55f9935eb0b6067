/**
 * Key names on Redis. Every key of a subject is `<prefix>{<tag>}:<kind>…`, where the tag is the
 * subject with `%`, `{`, `}` and `~` percent-encoded: the tag never holds a brace, so Redis Cluster
 * hashes exactly the tag (all of a subject's keys share a slot, its own), and the encoding is
 * injective, so two subjects never share a key whatever characters they hold. `~` is escaped so
 * that no subject's tag is `~`, the tag of the broker-wide keys. The key prefix holds no brace
 * either (config). Subscriber ids in keys are UUIDs, checked before any store call.
 */
const NEEDS_ESCAPE = /[%{}~]/;
const ESCAPES: Record<string, string> = { '%': '%25', '{': '%7B', '}': '%7D', '~': '%7E' };

/** The tag of a subject's keys: the subject itself unless it holds `%`, `{`, `}` or `~`. */
export function subjectTag(subject: string): string {
  return NEEDS_ESCAPE.test(subject) ? subject.replace(/[%{}~]/g, (char) => ESCAPES[char]) : subject;
}

/** `<prefix>{<tag>}`: what a subject's keys start with, the base key its scripts are given. */
export function subjectBase(prefix: string, subject: string): string {
  return `${prefix}{${subjectTag(subject)}}`;
}

/** `<prefix>{~}`: the broker-wide keys (ledger, indexes), in a slot of their own. */
export function globalBase(prefix: string): string {
  return `${prefix}{~}`;
}

/**
 * `<prefix>{<tag>}` for the ledger of one Cluster hash slot, `tag` being `~…` chosen to hash to
 * that slot: in the slot of the subjects it counts, and never a subject's tag.
 */
export function slotBase(prefix: string, tag: string): string {
  return `${prefix}{${tag}}`;
}
