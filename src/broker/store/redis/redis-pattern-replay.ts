import { subjectMatches } from '../../../auth/subject-pattern.js';
import { isReplayLog, literalPrefixOf, newReplayingId, replayLogOf } from '../../pattern-replay.js';
import { isPattern } from '../../subject-tree.js';
import type { AckSettings, DeliverPolicy, SubscribeOptions, SubscribeRefusal, SubscriberInfo } from '../message-store.js';
import type { RetentionRules } from '../retention-rules.js';
import type { Accounting } from './redis-accounting.js';
import type { RedisClient } from './redis-client.js';
import type { RedisIndexes } from './redis-indexes.js';
import type { RedisPatternForwarder } from './redis-pattern-forwarder.js';
import type { RedisPatterns } from './redis-patterns.js';
import type { RunScript } from './redis-scripts.js';
import { deliverText, type RedisSubscribers } from './redis-subscribers.js';

/** Subjects one page of the subject index gives while looking for the retained subjects a pattern matches. */
const SUBJECTS_PAGE = 500;

/**
 * Pattern subscribers that replay (deliver `all`, `last` or `fromTime`) on Redis. Each reads a log
 * of its own, `<pattern> <id>` (pattern-replay.ts), which is a wildcard log as a pattern's shared
 * one is: a member of the registry, fed by the forwarder. Its replay: before it is registered (so no
 * publish attaches it at a subject's end first), it becomes a reader of every retained subject it
 * matches, placed where `deliver` says in that subject (pattern-place.lua); the forwarder then copies
 * from there in bounded batches, crash-safe as any forward. A subscribe repeated (a name's) does
 * it all again, each step idempotent, so one cut off before it answered is finished by the next.
 */
export class RedisPatternReplay {
  constructor(
    private readonly client: RedisClient,
    private readonly run: RunScript,
    private readonly base: (subject: string) => string,
    private readonly global: string,
    private readonly accounting: Accounting,
    private readonly indexes: RedisIndexes,
    private readonly subscribers: RedisSubscribers,
    private readonly patterns: RedisPatterns,
    private readonly forwarder: RedisPatternForwarder,
    private readonly rules: RetentionRules,
  ) {}

  async subscribe(pattern: string, ack: AckSettings | undefined, options: SubscribeOptions & { deliver: Exclude<DeliverPolicy, 'new'> }): Promise<SubscriberInfo | SubscribeRefusal | undefined> {
    const { name, owner, deliver } = options;
    // A name of the pattern held by a subscriber of its shared log: other settings (or another's name).
    if (name !== undefined) {
      const other = await this.client.hget(`${this.base(pattern)}:nm`, name);
      if (other !== null) return (await this.ownerOf(pattern, other)) === (owner ?? '') ? 'settings-differ' : 'name-taken';
    }
    const id = newReplayingId(pattern, name);
    const log = replayLogOf(pattern, id);
    const subscriber = await this.subscribers.subscribe(log, ack, options, id);
    if (typeof subscriber !== 'object') return subscriber;
    const sources = await this.place(pattern, log, deliverText(deliver));
    await this.patterns.register(log);
    for (const subject of sources) this.forwarder.forward(subject, [log]);
    return { ...subscriber, subject: pattern };
  }

  /**
   * For a subscribe of the pattern's shared log with a name: the refusal when a replaying subscriber
   * holds that name (its id is known from the name, so is its log).
   */
  async nameRefusal(pattern: string, name: string, owner: string | undefined): Promise<SubscribeRefusal | undefined> {
    const id = newReplayingId(pattern, name);
    const log = replayLogOf(pattern, id);
    if ((await this.client.hget(`${this.base(log)}:nm`, name)) === null) return undefined;
    return (await this.ownerOf(log, id)) === (owner ?? '') ? 'settings-differ' : 'name-taken';
  }

  private async ownerOf(subject: string, id: string): Promise<string> {
    return (await this.client.hget(`${this.base(subject)}:s:${id}`, 'ow')) ?? '';
  }

  /**
   * Makes `log` a reader of each retained subject with a log that `pattern` matches, where `start`
   * says; the subjects are found in the subject index, a bounded page at a time under the pattern's
   * literal prefix. Returns them all (those it read already too: the forward is idempotent).
   */
  private async place(pattern: string, log: string, start: string): Promise<string[]> {
    const prefix = literalPrefixOf(pattern);
    const sources: string[] = [];
    for (let after = ''; ; ) {
      const page = (await this.run('gmqSubjects', this.global, prefix, after, SUBJECTS_PAGE)) as string[];
      for (const subject of page) {
        if (isReplayLog(subject) || isPattern(subject) || !subjectMatches(pattern, subject)) continue;
        const rule = this.rules.textOf(subject);
        if (rule === '') continue;
        await this.client.hsetnx(`${this.base(log)}:fw`, subject, '0');
        const [accounted, , made] = (await this.run('gmqPatternPlace', this.base(subject), this.accounting.baseOf(subject), this.accounting.mode(), subject, log, rule, start)) as [
          number[],
          number,
          number,
        ];
        this.accounting.settled(subject, accounted);
        // Its log was made again (an empty retained subject's had gone): listed, as a publish lists it.
        if (made === 1) await this.indexes.lower('subjects', subject, 0);
        sources.push(subject);
      }
      if (page.length < SUBJECTS_PAGE) return sources;
      after = page[page.length - 1];
    }
  }
}
