import type { Accounting } from './redis-accounting.js';
import type { RunScript } from './redis-scripts.js';

/** `subjects`: every subject with a log, score 0, for the management API's listing (not a sweep's). */
export type IndexName = 'idle' | 'due' | 'named' | 'ret' | 'subjects';

/** Most subjects remembered as failing, for their back-off: past it, the oldest is forgotten. */
const MAX_FAILING = 10_000;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 60_000;

/**
 * The broker-wide indexes the sweeps work from (global.lua): subject → a time at or before its
 * next redelivery (`due`), its least recently active subscriber without a name (`idle`), its
 * least recently active named one (`named`), or its oldest retained message's expiry (`ret`). On a single Redis the
 * subject scripts lower and remove entries themselves; on a Cluster these calls do it.
 */
export class RedisIndexes {
  /** Subjects whose sweep script failed: how many times in a row, for the back-off. */
  private readonly failing = new Map<string, number>();

  constructor(
    private readonly run: RunScript,
    private readonly global: string,
    private readonly accounting: Accounting,
  ) {}

  /** Cluster: lowers (or adds) `subject`'s entry to `time` ('now': Redis's clock). */
  lower(index: IndexName, subject: string, time: number | 'now'): Promise<unknown> | undefined {
    if (this.accounting.inline) return undefined;
    return this.run('gmqLower', this.global, index, subject, time);
  }

  /** Subjects whose entry is at or before `until`: {Redis's now, earliest or -1, [subject, version]…}. */
  async candidates(index: IndexName, until: number | 'now', limit: number): Promise<{ now: number; entries: Array<{ subject: string; version: string }> }> {
    const [now, , ...rest] = (await this.run('gmqCandidates', this.global, index, until, limit)) as Array<number | string>;
    const entries = [];
    for (let i = 0; i < rest.length; i += 2) entries.push({ subject: rest[i] as string, version: rest[i + 1] as string });
    return { now: now as number, entries };
  }

  /** Raises an entry to `time` (-1: removes it), unless a request lowered it since `version`; 1 if it did. */
  async raise(index: IndexName, subject: string, version: string, time: number): Promise<number> {
    this.failing.delete(subject);
    return (await this.run('gmqRaise', this.global, index, subject, version, time)) as number;
  }

  /**
   * A sweep's script on `subject` failed: its entry moves back (1 s, doubling to a minute for a
   * subject that keeps failing), so the sweep goes on with the other subjects and comes back to it.
   */
  async retryLater(index: IndexName, subject: string, version: string): Promise<void> {
    const failures = (this.failing.get(subject) ?? 0) + 1;
    this.failing.delete(subject);
    if (this.failing.size >= MAX_FAILING) this.failing.delete(this.failing.keys().next().value!);
    this.failing.set(subject, failures);
    const delayMs = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), LAST_RETRY_MS);
    await this.run('gmqRaise', this.global, index, subject, version, `later:${delayMs}`);
  }

  /** Cluster: the subject's log is gone (or never was): its `subjects` entry goes, unless a request made a new log since. */
  async unlistSubject(subject: string, base: string): Promise<void> {
    if (this.accounting.inline) return;
    const version = (await this.run('gmqVersion', this.global, 'subjects', subject)) as string;
    if ((await this.run('gmqHasLog', base, this.accounting.baseOf(subject), this.accounting.mode())) === 1) return;
    await this.run('gmqRaise', this.global, 'subjects', subject, version, -1);
  }

  /** Cluster: the subject's log is gone; its idle and named entries go too, unless a subscribe made a new one since. */
  async unlist(subject: string, base: string): Promise<void> {
    if (this.accounting.inline) return;
    const versions = [await this.run('gmqVersion', this.global, 'idle', subject), await this.run('gmqVersion', this.global, 'named', subject)];
    if ((await this.run('gmqHasSubscribers', base, this.accounting.baseOf(subject), this.accounting.mode())) === 1) return;
    await this.run('gmqRaise', this.global, 'idle', subject, versions[0] as string, -1);
    await this.run('gmqRaise', this.global, 'named', subject, versions[1] as string, -1);
  }
}
