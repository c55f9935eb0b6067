import { publicSubjectOf } from '../../pattern-replay.js';
import { SubjectTree } from '../../subject-tree.js';
import type { RedisClient } from './redis-client.js';
import type { RunScript } from './redis-scripts.js';

/**
 * What a wake message names as its subject when the registry of patterns changed: a space is in no
 * subject, so no waiter is ever woken by it.
 */
export const PATTERNS_CHANGED = ' patterns';
/** How often the registry's version is read, in case a change notice was lost (pub/sub is at most once). */
const RELOAD_MS = 1000;
/** Empty answer of matching(), shared. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * The patterns with subscribers (wildcard subscriptions), known to every instance: a registry in the
 * broker-wide keys, `<prefix>{~}:patterns` (zset: pattern -> version of its latest subscribe, from
 * the counter `<prefix>{~}:patterns:v`, which every change raises). Each instance keeps it in a
 * subject tree, so a publish finds the patterns its subject matches in O(tokens); it reads the
 * registry again when told of a change (a wake message) or when the version moved (every second).
 * A member is the name of a wildcard log: a pattern's shared one (the pattern), or a replaying
 * subscriber's own (`<pattern> <id>`, pattern-replay.ts); the tree keeps each pattern's members.
 */
export class RedisPatterns {
  private tree = new SubjectTree<string[]>();
  private version: string | null | undefined;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;

  constructor(
    private readonly client: RedisClient,
    private readonly run: RunScript,
    private readonly global: string,
    /** Tells the other instances the registry changed. */
    private readonly announce: () => Promise<unknown>,
    /** The `subs` of a subject's log (readers included): whether a pattern still has a log. */
    private readonly readersOf: (subject: string) => Promise<number>,
  ) {}

  private get key(): string {
    return `${this.global}:patterns`;
  }

  /** The wildcard logs (registered members) whose pattern `subject` matches. */
  matching(subject: string): readonly string[] {
    if (this.tree.size === 0) return NONE;
    const groups = this.tree.match(subject);
    return groups.length === 1 ? groups[0] : groups.flat();
  }

  /** Every registered pattern, for the forwarding sweep. */
  all(): string[] {
    return this.patterns;
  }

  private patterns: string[] = [];
  /** Told when this instance took a pattern off the registry: the subjects' logs stop keeping messages for it. */
  onForgotten?: (pattern: string) => Promise<unknown>;

  /** A pattern got a subscriber: registered (again, with a new version) before the subscribe answers. */
  async register(pattern: string): Promise<void> {
    const version = await this.client.incr(`${this.key}:v`);
    await this.client.zadd(this.key, version, pattern);
    if (add(this.tree, pattern)) this.patterns.push(pattern);
    await this.announce();
  }

  /**
   * A pattern's subscriber left: the pattern leaves the registry when its log has no subscriber, unless
   * it was registered again since (global-pattern-forget.lua compares its version). The version is read
   * before the log, so a subscribe in between (which registers after its script) is seen one way or the other.
   */
  async forgetIfUnused(pattern: string): Promise<void> {
    const score = await this.client.zscore(this.key, pattern);
    if (score === null) return;
    if ((await this.readersOf(pattern)) > 0) return;
    if ((await this.run('gmqPatternForget', this.global, pattern, score)) !== 1) return;
    this.drop(pattern);
    await Promise.all([this.announce(), this.onForgotten?.(pattern)]);
  }

  /** Reads the registry if its version moved (or `force`). */
  reload(force = false): Promise<void> {
    this.reloading ??= this.read(force).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  start(): void {
    this.timer = setInterval(() => void this.reload().catch(() => {}), RELOAD_MS).unref();
    void this.reload(true).catch(() => {});
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async read(force: boolean): Promise<void> {
    const version = await this.client.get(`${this.key}:v`);
    if (!force && version === this.version) return;
    const patterns = await this.client.zrange(this.key, '0', '-1');
    const tree = new SubjectTree<string[]>();
    for (const pattern of patterns) add(tree, pattern);
    this.tree = tree;
    this.patterns = patterns;
    this.version = version;
  }

  private drop(pattern: string): void {
    const key = publicSubjectOf(pattern);
    const group = this.tree.get(key);
    if (!group?.includes(pattern)) return;
    const rest = group.filter((one) => one !== pattern);
    if (rest.length === 0) this.tree.delete(key);
    else this.tree.set(key, rest);
    this.patterns = this.patterns.filter((one) => one !== pattern);
  }
}

/** Adds a member to its pattern's group (a new array: a publish may hold the old one); false if it was there. */
function add(tree: SubjectTree<string[]>, member: string): boolean {
  const key = publicSubjectOf(member);
  const group = tree.get(key) ?? [];
  if (group.includes(member)) return false;
  tree.set(key, [...group, member]);
  return true;
}
