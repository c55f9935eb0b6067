import { subjectMatches } from '../../auth/subject-pattern.js';
import type { RetentionRule } from './message-store.js';

/** Subjects whose rule is remembered, as SubjectPatterns remembers answers: past it, all are forgotten. */
const REMEMBERED = 4096;

/** config.yaml `retention` as a lookup: the first rule matching a subject, remembered per subject. */
export class RetentionRules {
  private readonly answers = new Map<string, RetentionRule | null>();

  constructor(readonly rules: readonly RetentionRule[] = []) {}

  ruleOf(subject: string): RetentionRule | undefined {
    if (this.rules.length === 0) return undefined;
    let rule = this.answers.get(subject);
    if (rule === undefined) {
      rule = this.rules.find((candidate) => subjectMatches(candidate.subjects, subject)) ?? null;
      if (this.answers.size >= REMEMBERED) this.answers.clear();
      this.answers.set(subject, rule);
    }
    return rule ?? undefined;
  }

  /** The rule as the Redis scripts take it: "<maxAgeMs>:<maxMessages>:<maxBytes>:<discard>", '' for none. */
  textOf(subject: string): string {
    const rule = this.ruleOf(subject);
    return rule ? `${rule.maxAge * 1000}:${rule.maxMessages}:${rule.maxBytes}:${rule.discard}` : '';
  }
}
