/**
 * Whether a subject has a wildcard token, a token that is exactly `*` or `>` (NATS wildcards). A
 * subscribe subject with one is a pattern (when it is a valid one: `>` only as the last token, see
 * isValidSubjectPattern); a publish subject may have none, as it names one subject.
 */
export function isPattern(subject: string): boolean {
  return WILDCARD_TOKEN.test(subject);
}

const WILDCARD_TOKEN = /(?:^|\.)[*>](?:\.|$)/;

/** A level of the tree: its literal tokens, its `*` child, and what ends here or at a `>` below it. */
class Level<T> {
  literals?: Map<string, Level<T>>;
  star?: Level<T>;
  /** The pattern ending at this level (`a.b`, `a.*`). */
  here?: T;
  /** The pattern ending with `>` right below this level (`a.>`). */
  rest?: T;
  size = 0;
}

/**
 * Patterns in a tree of their tokens, as NATS's sublist: finding the patterns a subject matches
 * costs the subject's tokens (at each of its levels a literal, a `*` and a `>` branch), not the
 * number of patterns. One value per pattern.
 */
export class SubjectTree<T> {
  private readonly root = new Level<T>();

  get size(): number {
    return this.root.size;
  }

  /** The value of exactly this pattern, if any. */
  get(pattern: string): T | undefined {
    const tokens = pattern.split('.');
    let level: Level<T> | undefined = this.root;
    for (let i = 0; level && i < tokens.length; i++) {
      if (tokens[i] === '>' && i === tokens.length - 1) return level.rest;
      level = tokens[i] === '*' ? level.star : level.literals?.get(tokens[i]);
    }
    return level?.here;
  }

  /** Sets the value of a pattern (valid: see isValidSubjectPattern). */
  set(pattern: string, value: T): void {
    const tokens = pattern.split('.');
    const path: Array<Level<T>> = [this.root];
    let level = this.root;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token === '>' && i === tokens.length - 1) {
        if (level.rest === undefined) path.forEach((on) => (on.size += 1));
        level.rest = value;
        return;
      }
      let next = token === '*' ? level.star : level.literals?.get(token);
      if (!next) {
        next = new Level<T>();
        if (token === '*') level.star = next;
        else (level.literals ??= new Map()).set(token, next);
      }
      level = next;
      path.push(level);
    }
    if (level.here === undefined) path.forEach((on) => (on.size += 1));
    level.here = value;
  }

  /** Forgets a pattern; levels left empty go with it. */
  delete(pattern: string): boolean {
    const tokens = pattern.split('.');
    const path: Array<[Level<T>, string]> = [];
    let level: Level<T> | undefined = this.root;
    const last = tokens.length - 1;
    const restPattern = tokens[last] === '>';
    for (let i = 0; i < (restPattern ? last : tokens.length); i++) {
      const next: Level<T> | undefined = tokens[i] === '*' ? level.star : level.literals?.get(tokens[i]);
      if (!next) return false;
      path.push([level, tokens[i]]);
      level = next;
    }
    if (restPattern ? level.rest === undefined : level.here === undefined) return false;
    if (restPattern) level.rest = undefined;
    else level.here = undefined;
    this.root.size -= 1;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, token] = path[i];
      const child = token === '*' ? parent.star! : parent.literals!.get(token)!;
      if (child !== this.root) child.size -= 1;
      if (child.size > 0) continue;
      if (token === '*') parent.star = undefined;
      else parent.literals!.delete(token);
    }
    return true;
  }

  /** The values of every pattern `subject` (a literal subject) matches, added to `into`. */
  match(subject: string, into: T[] = []): T[] {
    if (this.root.size > 0) matchAt(this.root, subject.split('.'), 0, into);
    return into;
  }
}

function matchAt<T>(level: Level<T>, tokens: string[], i: number, into: T[]): void {
  if (i === tokens.length) {
    if (level.here !== undefined) into.push(level.here);
    return;
  }
  if (level.rest !== undefined) into.push(level.rest);
  const literal = level.literals?.get(tokens[i]);
  if (literal) matchAt(literal, tokens, i + 1, into);
  if (level.star) matchAt(level.star, tokens, i + 1, into);
}
