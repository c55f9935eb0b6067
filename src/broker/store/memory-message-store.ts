import { newSubscriberId } from '../subscriber-id.js';
import { literalPrefixOf, newReplayingId, replayLogOf, replays } from '../pattern-replay.js';
import { MemoryPushRegistry } from './push/memory-push-registry.js';
import type { PushRegistrySource } from './push/push-registry.js';
import { AckState, Delivery } from './ack/ack-state.js';
import { DeadlineTimer } from './ack/deadline-timer.js';
import { isoTime } from './iso-time.js';
import { jsonStringBytes } from './json-string-bytes.js';
import { subjectMatches } from '../../auth/subject-pattern.js';
import { isPattern, SubjectTree } from '../subject-tree.js';
import {
  DEFAULT_MAX_ACK_PENDING,
  LEAN_ENTRY_OVERHEAD,
  LEAN_RETAINED_ENTRY_OVERHEAD,
  sameDeliver,
  type DeliverPolicy,
  type RetentionDropReason,
  type RetentionRule,
  type AckSettings,
  type DeliveredMessage,
  type FetchedMessages,
  type MessageStore,
  type PublishOutcome,
  type SettleOutcome,
  type StoreEvents,
  type StoreLimits,
  type StoreStats,
  type TakeOptions,
  type SubscribeOptions,
  type SubscribeRefusal,
  type SubscriberInfo,
} from './message-store.js';
import { MemoryInspection } from './memory-inspection.js';
import { MemoryStoreIndex } from './memory-store-index.js';
import { sameAckSettings } from './same-ack-settings.js';
import type { Page, PeekedMessage, SubjectFigures, SubscriberFigures } from './store-inspection.js';
import { EPOCH_S, MemorySubscriber, nowS, ReplayCursor, SubjectLog } from './subject-log.js';

/** What an entry of `messages` adds to an answer besides its data: `{"seq":…,"data":,"deliveries":…},`. */
const DELIVERED_MESSAGE_OVERHEAD = 48;
/** The same on a retained subject, with `"time":"2026-12-03T14:29:07.123Z"` (34 characters more). */
export const RETAINED_MESSAGE_OVERHEAD = DELIVERED_MESSAGE_OVERHEAD + 34;
/** How often the age sweep starts a pass over the retained subjects. */
const RETENTION_SWEEP_MS = 1000;
/** What `"subject":` and its comma add to a message of a pattern's log in `messages`. */
const SUBJECT_FIELD_OVERHEAD = 11;
/** Most messages one turn of the sweep drops, and subjects it looks at: a turn stays near a millisecond. */
const SWEEP_BATCH_MESSAGES = 1000;
const SWEEP_BATCH_SUBJECTS = 1000;
/** Most retained messages one turn copies into replaying pattern subscribers' logs: a turn stays near a millisecond, as the sweep's. */
const REPLAY_PAGE_MESSAGES = 1000;
/** How soon a replay that found no room tries again (a fetch of its subscriber goes on at once). */
const REPLAY_RETRY_MS = 100;

/** The default store: everything in this process, nothing survives a restart. */
export class MemoryMessageStore implements MessageStore, PushRegistrySource {
  /** Which subscribers the broker pushes to (push/push-registry.ts). */
  readonly pushRegistry = new MemoryPushRegistry();
  events?: StoreEvents;
  /**
   * Subscribers without a name. Insertion order is activity order: touching a subscriber moves it
   * to the end, so expiry reads from the front.
   */
  private readonly subscribers = new Map<string, MemorySubscriber>();
  /** Named subscribers, the same way: their own order, as their expiry has its own timeout. */
  private readonly named = new Map<string, MemorySubscriber>();
  private readonly subjects = new Map<string, SubjectLog>();
  /** Subjects and subscribers in order, for the listings of the management API. */
  private readonly index = new MemoryStoreIndex();
  private readonly inspection = new MemoryInspection(this.index, (subject, id) => this.find(subject, id), {
    dropFront: (log, count) => this.dropFront(log, count),
    catchUp: (subscriber) => this.catchUp(subscriber),
    move: (subscriber, seq) => this.move(subscriber, seq),
    reposition: (subscriber, from) => {
      this.reposition(subscriber, from);
      if (subscriber.ack) this.schedule(subscriber, subscriber.ack);
    },
  });
  /** The logs of patterns with subscribers (wildcard subscriptions), found by the subjects they match. */
  private readonly patternLogs = new SubjectTree<SubjectLog>();
  /** The pattern logs a publish found, reused: a publish allocates no array. */
  private readonly routes: SubjectLog[] = [];
  /**
   * Replaying pattern subscribers' own logs (deliver other than `new`), a set per pattern, found
   * by the subjects they match as the patterns' logs are; and the sets a publish found, reused.
   */
  private readonly replayLogs = new SubjectTree<Set<SubjectLog>>();
  private readonly replayGroups: Array<Set<SubjectLog>> = [];
  private readonly ownLogs = new Set<SubjectLog>();
  /** Own logs still copying retained subjects: the replay pager's round. */
  private readonly replaying = new Set<SubjectLog>();
  private replayTurn?: NodeJS.Immediate;
  private replayRetry?: NodeJS.Timeout;
  /** Named replaying subscribers by `<pattern>\n<name>` (their names share the pattern's namespace). */
  private readonly replayNames = new Map<string, MemorySubscriber>();
  private readonly deadlines = new DeadlineTimer<MemorySubscriber>((subscriber, now, budget) => this.due(subscriber, now, budget));
  private messagesHeld = 0;
  private bytesHeld = 0;
  /** Seq of the first message of a subject's next new log: above every seq handed out so far. */
  private nextLogStart = 1;
  private serials = 0;
  private inFlight = 0;
  private redelivered = 0;
  private deadLettered = 0;
  private deadLetterDropped = 0;
  /** Logs of retained subjects: the age sweep's round. */
  private readonly retainedLogs = new Map<string, SubjectLog>();
  private retained = 0;
  private retainedBytes = 0;
  private readonly retentionDropped: Record<RetentionDropReason, number> = { age: 0, messages: 0, bytes: 0 };
  private readonly sweepTimer?: NodeJS.Timeout;
  /** Where a sweep pass is: the subjects it has yet to look at, and the one it is in. */
  private sweepCursor?: Iterator<[string, SubjectLog]>;
  private sweepLog?: [string, SubjectLog];
  private sweepTurn?: NodeJS.Immediate;

  constructor(
    private readonly limits: StoreLimits,
    /** config.yaml `retention`: the first rule matching a subject is its rule. */
    private readonly rules: readonly RetentionRule[] = [],
  ) {
    if (rules.length > 0) this.sweepTimer = setInterval(() => this.sweepPass(), RETENTION_SWEEP_MS).unref();
  }

  /** Without a name nothing is refused, only undefined past maxSubscribers. */
  subscribe(subject: string, ack?: AckSettings): SubscriberInfo | undefined;
  subscribe(subject: string, ack: AckSettings | undefined, options: SubscribeOptions): SubscriberInfo | SubscribeRefusal | undefined;
  subscribe(subject: string, ack?: AckSettings, { name, owner, deliver }: SubscribeOptions = {}): SubscriberInfo | SubscribeRefusal | undefined {
    if (isPattern(subject)) {
      // A name of a pattern is one, whichever log its subscriber reads: the other kind's is other settings.
      const other = name === undefined ? undefined : replays(deliver) ? this.subjects.get(subject)?.names?.get(name) : this.replayNames.get(`${subject}\n${name}`);
      if (other) return other.owner !== owner ? 'name-taken' : 'settings-differ';
      if (replays(deliver)) return this.subscribeReplaying(subject, ack, name, owner, deliver);
    }
    let log = this.subjects.get(subject);
    const rule = log ? log.rule : isPattern(subject) ? undefined : this.ruleOf(subject);
    if (deliver !== undefined && deliver !== 'new' && rule === undefined) return 'not-retained';
    const existing = name === undefined ? undefined : log?.names?.get(name);
    if (existing) return this.subscribedAgain(existing, owner, ack, deliver);
    if (this.subscribers.size + this.named.size >= this.limits.maxSubscribers) return undefined;
    log ??= this.newLog(subject, rule);
    if (log.rule) this.expire(log, Date.now(), Infinity);
    const start = startOf(log, deliver);
    const state = ack && new AckState({ ...ack, maxAckPending: ack.maxAckPending ?? DEFAULT_MAX_ACK_PENDING }, start);
    const subscriber = new MemorySubscriber(newSubscriberId(), subject, log, ++this.serials, state, name, owner, deliver, start);
    this.orderOf(subscriber).set(subscriber.id, subscriber);
    if (name !== undefined) (log.names ??= new Map()).set(name, subscriber);
    this.index.subscribed(subscriber);
    log.subscriberCount += 1;
    log.addReader(start, 1);
    return infoOf(subscriber);
  }

  /** A subscribe naming an existing subscriber: the same one, if the token and the settings are its own. */
  private subscribedAgain(existing: MemorySubscriber, owner: string | undefined, ack: AckSettings | undefined, deliver: DeliverPolicy | undefined): SubscriberInfo | SubscribeRefusal {
    if (existing.owner !== owner) return 'name-taken';
    if (!sameAckSettings(existing.ack?.settings, ack) || !sameDeliver(existing.deliver, deliver)) return 'settings-differ';
    this.touch(existing);
    return infoOf(existing);
  }

  /**
   * A pattern subscriber that replays: a log of its own, with a cursor into each retained subject it
   * matches, placed where `deliver` says in that subject, all in this one step, so no publish
   * routes to it before. The cursors are copied in pages between turns of the event loop
   * (copyReplays); a publish to a subject whose cursor has not caught up is left to the cursor.
   */
  private subscribeReplaying(
    pattern: string,
    ack: AckSettings | undefined,
    name: string | undefined,
    owner: string | undefined,
    deliver: Exclude<DeliverPolicy, 'new'>,
  ): SubscriberInfo | SubscribeRefusal | undefined {
    const key = name === undefined ? undefined : `${pattern}\n${name}`;
    const existing = key === undefined ? undefined : this.replayNames.get(key);
    if (existing) return this.subscribedAgain(existing, owner, ack, deliver);
    if (this.subscribers.size + this.named.size >= this.limits.maxSubscribers) return undefined;
    const id = newReplayingId(pattern, name);
    const log = new SubjectLog(this.nextLogStart, undefined, pattern);
    log.ownName = replayLogOf(pattern, id);
    const now = Date.now();
    const cursors = new Map<string, ReplayCursor>();
    // The retained subjects it matches: those under its literal prefix in the subject index (all for `>` or `*.…`).
    const prefix = literalPrefixOf(pattern);
    const candidates = prefix === '' ? this.retainedLogs.entries() : this.index.subjectsFrom(prefix, undefined);
    for (const [subject, source] of candidates) {
      if (!source.rule || source.ownName !== undefined || !subjectMatches(pattern, subject)) continue;
      this.expire(source, now, Infinity);
      const start = startOf(source, deliver);
      if (start < source.endSeq) cursors.set(subject, new ReplayCursor(source, start));
    }
    const state = ack && new AckState({ ...ack, maxAckPending: ack.maxAckPending ?? DEFAULT_MAX_ACK_PENDING }, log.endSeq);
    const subscriber = new MemorySubscriber(id, pattern, log, ++this.serials, state, name, owner, deliver, log.endSeq);
    this.orderOf(subscriber).set(id, subscriber);
    if (key !== undefined) {
      this.replayNames.set(key, subscriber);
      log.names = new Map([[name!, subscriber]]);
    }
    this.index.made(log.ownName, log);
    this.index.subscribed(subscriber);
    log.subscriberCount = 1;
    log.addReader(log.endSeq, 1);
    let group = this.replayLogs.get(pattern);
    if (!group) this.replayLogs.set(pattern, (group = new Set()));
    group.add(log);
    this.ownLogs.add(log);
    if (cursors.size > 0) {
      log.replay = cursors;
      this.replaying.add(log);
      this.scheduleReplay();
    }
    return infoOf(subscriber);
  }

  unsubscribe(subject: string, id: string): boolean {
    const subscriber = this.find(subject, id);
    if (!subscriber) return false;
    this.remove(subscriber);
    return true;
  }

  publish(subject: string, data: string): PublishOutcome {
    const { routes } = this;
    if (routes.length > 0) routes.length = 0; // setting the length is a slow builtin even on an empty array
    if (this.patternLogs.size > 0) this.patternLogs.match(subject, routes);
    let log = this.subjects.get(subject);
    if (this.ownLogs.size > 0) this.matchReplaying(subject, log, routes);
    if (!log) {
      const rule = this.ruleOf(subject);
      if (rule === undefined) return routes.length === 0 ? 'no-subscriber' : this.route(subject, data, Buffer.byteLength(data, 'utf8'), routes, true);
      log = this.newLog(subject, rule);
    }
    const bytes = Buffer.byteLength(data, 'utf8');
    if (routes.length > 0) {
      // Every log that takes it, or none: the patterns' logs are checked first, counting its own copy.
      const refusal = this.routeRefusal(routes, bytes, 1);
      if (refusal) return refusal;
    }
    const outcome = log.rule ? this.publishRetained(log, log.rule, data, bytes) : this.append(log, data, bytes);
    if (outcome === 'ok' && routes.length > 0) this.route(subject, data, bytes, routes, false);
    return outcome;
  }

  /** The replaying subscribers' logs a publish to `subject` goes to: not those whose cursor in its log has yet to catch up. */
  private matchReplaying(subject: string, log: SubjectLog | undefined, routes: SubjectLog[]): void {
    const groups = this.replayGroups;
    groups.length = 0;
    this.replayLogs.match(subject, groups);
    for (const group of groups) {
      for (const own of group) {
        const cursor = own.replay?.get(subject);
        if (cursor === undefined || cursor.source !== log) routes.push(own);
      }
    }
  }

  private scheduleReplay(): void {
    if (this.replayTurn || this.replaying.size === 0) return;
    this.replayTurn = setImmediate(() => {
      this.replayTurn = undefined;
      this.copyReplays();
    });
  }

  /** One page of every replay under way (REPLAY_PAGE_MESSAGES at most), then the next turn goes on. */
  private copyReplays(): void {
    let budget = REPLAY_PAGE_MESSAGES;
    let blocked = false;
    for (const own of this.replaying) {
      if (budget === 0) break;
      const [copied, full] = this.copyReplay(own, budget);
      budget -= copied;
      if (full) blocked = true;
      if (!own.replay) this.replaying.delete(own);
    }
    if (budget === 0) this.scheduleReplay();
    else if (blocked && !this.replayRetry) {
      this.replayRetry = setTimeout(() => {
        this.replayRetry = undefined;
        this.copyReplays();
      }, REPLAY_RETRY_MS).unref();
    }
  }

  /**
   * Copies up to `budget` retained messages into a replaying subscriber's log, subject by subject,
   * each in seq order; a subject copied to its end is caught up (its publishes are routed from then
   * on). Returns how many, and whether its log (or the broker) had no room: what its subscriber
   * fetches makes room (a stalled replaying subscriber holds back the subjects it reads, as any
   * pattern subscriber does). A message larger than its log could ever take is skipped, not waited for.
   */
  private copyReplay(own: SubjectLog, budget: number): [number, boolean] {
    const { limits } = this;
    const cursors = own.replay!;
    let count = 0;
    let full = false;
    for (const [subject, cursor] of cursors) {
      const { source } = cursor;
      if (cursor.nextSeq < source.firstSeq) cursor.nextSeq = source.firstSeq;
      const subjectAnswerBytes = jsonStringBytes(subject, Buffer.byteLength(subject, 'utf8')) + SUBJECT_FIELD_OVERHEAD;
      while (count < budget && cursor.nextSeq < source.endSeq) {
        const index = cursor.nextSeq - source.firstSeq;
        const { messages } = source;
        const bytes = messages.bytes(index);
        if (own.messages.length + 1 > limits.maxPendingPerSubject || own.bytes + bytes > limits.maxPendingBytesPerSubject) {
          if (own.messages.length > 0) {
            full = true;
            break;
          }
          cursor.nextSeq += 1; // never fits its log
          continue;
        }
        if (this.messagesHeld + 1 > limits.maxPending || this.bytesHeld + bytes > limits.maxPendingBytes) {
          full = true;
          break;
        }
        const publishedS = messages.publishedS(index);
        const msPart = messages.publishedMs(index) - (publishedS + EPOCH_S) * 1000;
        // Its own string: a slice of the retained log's joined chunk would keep that chunk alive (packed-messages.ts).
        own.append(messages.dataCopy(index), bytes, messages.answerBytes(index), publishedS, msPart, subject, subjectAnswerBytes);
        this.messagesHeld += 1;
        this.bytesHeld += bytes;
        cursor.nextSeq += 1;
        count += 1;
      }
      if (full || count === budget) break;
      cursors.delete(subject); // caught up
    }
    if (cursors.size === 0) own.replay = undefined;
    if (count > 0) this.events?.published(own.pattern!);
    return [count, full];
  }

  /** A message of a subject without retention, in its log, under the per-subject and broker-wide limits. */
  private append(log: SubjectLog, data: string, bytes: number): PublishOutcome {
    const { limits } = this;
    if (log.messages.length + 1 > limits.maxPendingPerSubject || log.bytes + bytes > limits.maxPendingBytesPerSubject) {
      return 'subject-overflow';
    }
    if (this.messagesHeld + 1 > limits.maxPending || this.bytesHeld + bytes > limits.maxPendingBytes) return 'overflow';
    log.append(data, bytes, jsonStringBytes(data, bytes) + 1, nowS(), 0);
    this.messagesHeld += 1;
    this.bytesHeld += bytes;
    return 'ok';
  }

  /**
   * Why the logs of the patterns a publish matched refuse it, or undefined when each has room: its
   * per-subject limits, as any subject's log (a stalled pattern subscriber holds back the subjects
   * it matches, as a stalled subscriber holds back its subject), and the broker-wide limits, counting
   * each log's copy and `others` more (the message's own log).
   */
  private routeRefusal(routes: readonly SubjectLog[], bytes: number, others: number): PublishOutcome | undefined {
    const { limits } = this;
    for (const log of routes) {
      if (log.messages.length + 1 > limits.maxPendingPerSubject || log.bytes + bytes > limits.maxPendingBytesPerSubject) return 'subject-overflow';
    }
    const copies = routes.length + others;
    if (this.messagesHeld + copies > limits.maxPending || this.bytesHeld + copies * bytes > limits.maxPendingBytes) return 'overflow';
    return undefined;
  }

  /** Appends a copy of the message to each matching pattern's log; `check`: their room first (else the caller checked). */
  private route(subject: string, data: string, bytes: number, routes: readonly SubjectLog[], check: boolean): PublishOutcome {
    if (check) {
      const refusal = this.routeRefusal(routes, bytes, 0);
      if (refusal) return refusal;
    }
    const answerBytes = jsonStringBytes(data, bytes) + 1;
    const subjectAnswerBytes = jsonStringBytes(subject, Buffer.byteLength(subject, 'utf8')) + SUBJECT_FIELD_OVERHEAD;
    const publishedAtS = nowS();
    for (const log of routes) log.append(data, bytes, answerBytes, publishedAtS, 0, subject, subjectAnswerBytes);
    this.messagesHeld += routes.length;
    this.bytesHeld += routes.length * bytes;
    // The broker wakes who waits on the published subject; those waiting on a pattern are woken here.
    for (const log of routes) this.events?.published(log.pattern!);
    return 'ok';
  }

  fetch(subject: string, id: string, max: number, _waitMs = 0, maxBytes = this.limits.maxFetchBytes, options?: TakeOptions): FetchedMessages | undefined {
    const subscriber = this.find(subject, id);
    if (!subscriber) return undefined;
    this.touch(subscriber);
    const { log } = subscriber;
    if (log.rule) {
      this.expire(log, Date.now(), Infinity);
      this.catchUp(subscriber);
    }
    const lean = options?.lean === true;
    if (subscriber.ack) {
      if (log.replay) this.scheduleReplay();
      return this.fetchAcknowledged(subscriber, subscriber.ack, max, maxBytes, options?.maxInFlight, lean);
    }
    const { nextSeq } = subscriber;
    const retained = log.rule !== undefined;
    const count = this.fitting(log, nextSeq, Math.min(max, subscriber.pending), maxBytes, retained || log.pattern !== undefined, lean);
    const stored = log.messages;
    const front = nextSeq - log.firstSeq;
    const data = new Array<string>(count);
    stored.readData(front, count, data);
    let taken: FetchedMessages;
    if ((log.pattern !== undefined || retained) && lean) taken = { data, remaining: 0, ...this.leanArrays(log, nextSeq, count) };
    else if (log.pattern !== undefined) {
      const messages = new Array<DeliveredMessage>(count);
      for (let i = 0; i < count; i++) messages[i] = { subject: stored.subject(front + i)!, seq: nextSeq + i, data: data[i] };
      taken = { data, remaining: 0, messages };
    } else if (retained) {
      const messages = new Array<DeliveredMessage>(count);
      for (let i = 0; i < count; i++) messages[i] = { seq: nextSeq + i, data: data[i], time: isoTime(stored.publishedMs(front + i)) };
      taken = { data, remaining: 0, messages };
    } else if (options?.withSeqs) {
      const messages = new Array<DeliveredMessage>(count);
      for (let i = 0; i < count; i++) messages[i] = { seq: nextSeq + i, data: data[i] };
      taken = { data, remaining: 0, messages };
    } else taken = { data, remaining: 0 };
    if (count > 0) this.move(subscriber, nextSeq + count);
    if (log.replay) this.scheduleReplay(); // room made for more of its replay
    taken.remaining = subscriber.pending;
    return taken;
  }

  /** The lean answer's arrays for an at-most-once subscriber's `count` messages from `seq` of a pattern's or a retained log. */
  private leanArrays(log: SubjectLog, seq: number, count: number): Pick<FetchedMessages, 'seqs' | 'times' | 'subjects'> {
    const stored = log.messages;
    const front = seq - log.firstSeq;
    const seqs = new Array<number>(count);
    for (let i = 0; i < count; i++) seqs[i] = seq + i;
    if (log.pattern !== undefined) {
      const subjects = new Array<string>(count);
      for (let i = 0; i < count; i++) subjects[i] = stored.subject(front + i)!;
      return { seqs, subjects };
    }
    const times = new Array<string>(count);
    for (let i = 0; i < count; i++) times[i] = isoTime(stored.publishedMs(front + i));
    return { seqs, times };
  }

  ack(subject: string, id: string, seqs: readonly number[]): SettleOutcome {
    return this.settle(subject, id, (subscriber, ack) => {
      let count = 0;
      for (const seq of seqs) {
        if (ack.state(seq) !== Delivery.InFlight) continue;
        ack.settle(seq);
        count += 1;
      }
      if (count > 0) ack.dropStaleDeadlines();
      return count;
    });
  }

  nack(subject: string, id: string, seqs: readonly number[], delayMs: number): SettleOutcome {
    return this.settle(subject, id, (subscriber, ack) => {
      const availableAt = delayMs > 0 ? Date.now() + delayMs : undefined;
      let count = 0;
      for (const seq of seqs) {
        if (ack.state(seq) !== Delivery.InFlight) continue;
        count += 1;
        if (this.exhausted(ack, seq)) this.exhaust(subscriber, ack, seq);
        else ack.release(seq, availableAt);
      }
      return count;
    });
  }

  extend(subject: string, id: string, seqs: readonly number[]): SettleOutcome {
    return this.settle(subject, id, (_subscriber, ack) => {
      const deadline = Date.now() + ack.settings.ackWaitMs;
      let count = 0;
      for (const seq of seqs) {
        if (ack.state(seq) !== Delivery.InFlight) continue;
        ack.restart(seq, deadline);
        count += 1;
      }
      return count;
    });
  }

  pendingCount(subject: string, id: string): number | undefined {
    const subscriber = this.find(subject, id);
    if (subscriber?.log.rule) {
      this.expire(subscriber.log, Date.now(), Infinity);
      this.catchUp(subscriber);
    }
    return subscriber?.pending;
  }

  expireIdle(idleSinceMs: number, limit: number, isActive?: (subject: string, id: string) => boolean, named = false): SubscriberInfo[] {
    const expired: SubscriberInfo[] = [];
    const order = named ? this.named : this.subscribers;
    // A touched subscriber moves to the end, where this loop would meet it again: look at each once.
    let unseen = order.size;
    for (const subscriber of order.values()) {
      if (unseen-- === 0 || subscriber.lastActiveMs >= idleSinceMs || expired.length >= limit) break;
      if (isActive?.(subscriber.subject, subscriber.id)) {
        this.touch(subscriber);
        continue;
      }
      this.remove(subscriber);
      expired.push({ id: subscriber.id, subject: subscriber.subject });
    }
    return expired;
  }

  stats(): StoreStats {
    let oldestS = Infinity;
    let subjects = 0;
    // A log's front message is held by someone (or retained): the oldest pending of that subject.
    for (const log of this.subjects.values()) {
      if (log.messages.length > 0 && log.messages.publishedS(0) < oldestS) oldestS = log.messages.publishedS(0);
      // Subjects with a subscriber: a retained one may have none.
      if (log.subscriberCount > 0) subjects += 1;
    }
    // Replaying pattern subscribers' own logs count as subjects with a log, as on Redis.
    for (const log of this.ownLogs) {
      if (log.messages.length > 0 && log.messages.publishedS(0) < oldestS) oldestS = log.messages.publishedS(0);
      subjects += 1;
    }
    return {
      messagesHeld: this.messagesHeld,
      bytesHeld: this.bytesHeld,
      subscribers: this.subscribers.size + this.named.size,
      subjects,
      oldestPendingAgeMs: oldestS === Infinity ? 0 : Math.max(0, Date.now() - (oldestS + EPOCH_S) * 1000),
      inFlight: this.inFlight,
      redelivered: this.redelivered,
      deadLettered: this.deadLettered,
      deadLetterDropped: this.deadLetterDropped,
      retained: this.retained,
      retainedBytes: this.retainedBytes,
      retentionDropped: { ...this.retentionDropped },
      // Wildcard logs: each pattern's shared one, and each replaying subscriber's own.
      patterns: this.patternLogs.size + this.ownLogs.size,
    };
  }

  listSubjects(prefix: string, after: string | undefined, limit: number): Page<SubjectFigures> {
    return this.inspection.listSubjects(prefix, after, limit);
  }

  subjectFigures(subject: string): SubjectFigures | undefined {
    return this.inspection.subjectFigures(subject);
  }

  listSubscribers(subject: string, after: string | undefined, limit: number): Page<SubscriberFigures> | undefined {
    return this.inspection.listSubscribers(subject, after, limit);
  }

  peek(subject: string, id: string | undefined, max: number): PeekedMessage[] | undefined {
    return this.inspection.peek(subject, id, max);
  }

  purge(subject: string, id: string | undefined): number | undefined {
    return this.inspection.purge(subject, id);
  }

  close(): void {
    this.deadlines.stop();
    clearInterval(this.sweepTimer);
    if (this.sweepTurn) clearImmediate(this.sweepTurn);
    if (this.replayTurn) clearImmediate(this.replayTurn);
    clearTimeout(this.replayRetry);
  }

  /** The first rule matching `subject`, if any: asked only when the subject has no log. */
  private ruleOf(subject: string): RetentionRule | undefined {
    for (const rule of this.rules) if (subjectMatches(rule.subjects, subject)) return rule;
    return undefined;
  }

  /** A subject's new log, its seqs after every seq handed out before. */
  private newLog(subject: string, rule: RetentionRule | undefined): SubjectLog {
    const pattern = isPattern(subject);
    const log = new SubjectLog(this.nextLogStart, rule, pattern ? subject : undefined);
    this.subjects.set(subject, log);
    this.index.made(subject, log);
    if (pattern) this.patternLogs.set(subject, log);
    if (rule) this.retainedLogs.set(subject, log);
    return log;
  }

  /**
   * A publish to a retained subject: its rule's limits instead of the per-subject ones, and the
   * broker-wide limits counting what the rule drops to make room. Refused (`overflow`) with nothing
   * dropped when it does not fit. Publish times never go back on one subject (fromTime's binary
   * search needs them in order), even if the clock does.
   */
  private publishRetained(log: SubjectLog, rule: RetentionRule, data: string, bytes: number): PublishOutcome {
    const now = Date.now();
    this.expire(log, now, Infinity);
    if (rule.maxBytes > 0 && bytes > rule.maxBytes) return 'overflow';
    const { messages } = log;
    const countOver = rule.maxMessages > 0 ? Math.max(0, messages.length + 1 - rule.maxMessages) : 0;
    let drop = countOver;
    let dropBytes = 0;
    for (let i = 0; i < drop; i++) dropBytes += messages.bytes(i);
    while (rule.maxBytes > 0 && log.bytes - dropBytes + bytes > rule.maxBytes) dropBytes += messages.bytes(drop++);
    if (drop > 0 && rule.discard === 'new') return 'overflow';
    const { limits } = this;
    if (this.messagesHeld - drop + 1 > limits.maxPending || this.bytesHeld - dropBytes + bytes > limits.maxPendingBytes) return 'overflow';
    if (countOver > 0) this.dropFront(log, countOver, 'messages');
    if (drop > countOver) this.dropFront(log, drop - countOver, 'bytes');
    const ms = messages.length > 0 ? Math.max(now, messages.publishedMs(messages.length - 1)) : now;
    const s = Math.floor(ms / 1000);
    log.append(data, bytes, jsonStringBytes(data, bytes) + 1, s - EPOCH_S, ms - s * 1000);
    this.messagesHeld += 1;
    this.bytesHeld += bytes;
    this.retained += 1;
    this.retainedBytes += bytes;
    return 'ok';
  }

  /**
   * Drops the front `count` messages of a retained log. Readers positioned at them are counted at
   * the new front (at-most-once ones read from there; acknowledged ones forget what they had not
   * settled there when next touched: catchUp).
   */
  private dropFront(log: SubjectLog, count: number, reason?: RetentionDropReason): void {
    const bytes = log.dropFront(count);
    this.messagesHeld -= count;
    this.bytesHeld -= bytes;
    this.retained -= count;
    this.retainedBytes -= bytes;
    if (reason) this.retentionDropped[reason] += count; // none: a purge
  }

  /** Drops up to `limit` messages of a retained log past its max-age; returns how many. */
  private expire(log: SubjectLog, now: number, limit: number): number {
    const maxAgeMs = log.rule!.maxAge * 1000;
    if (maxAgeMs === 0) return 0;
    const { messages } = log;
    let count = 0;
    while (count < limit && count < messages.length && messages.publishedMs(count) + maxAgeMs <= now) count += 1;
    if (count > 0) this.dropFront(log, count, 'age');
    return count;
  }

  /**
   * A subscriber of a retained subject whose position the rule dropped: an at-most-once one reads
   * from the front; an acknowledged one forgets its unsettled seqs below it (no longer in flight,
   * never delivered again nor dead-lettered) and never gets the rest.
   */
  private catchUp(subscriber: MemorySubscriber): void {
    const { log, ack } = subscriber;
    if (!ack) {
      if (subscriber.nextSeq < log.firstSeq) subscriber.nextSeq = log.firstSeq;
      return;
    }
    if (ack.floor >= log.firstSeq) return;
    const floor = ack.floor;
    this.countInFlight(log, -ack.forgetBelow(log.firstSeq));
    this.reposition(subscriber, floor);
  }

  /**
   * One turn of the age sweep: drops expired messages of the retained subjects, at most
   * SWEEP_BATCH_MESSAGES and SWEEP_BATCH_SUBJECTS a turn, going on in the next turn of the event
   * loop until the pass has seen every retained subject. A retained subject left with neither
   * messages nor subscribers is forgotten (its seqs go on from its end if it comes back).
   */
  private sweepPass(): void {
    if (this.sweepCursor || this.sweepTurn) return; // a pass is under way
    this.sweepCursor = this.retainedLogs.entries();
    this.sweepTurn = setImmediate(() => this.sweepOn());
  }

  private sweepOn(): void {
    this.sweepTurn = undefined;
    const now = Date.now();
    let budget = SWEEP_BATCH_MESSAGES;
    for (let visits = 0; visits < SWEEP_BATCH_SUBJECTS && budget > 0; visits++) {
      let entry = this.sweepLog;
      if (!entry) {
        const next = this.sweepCursor?.next();
        if (!next || next.done) {
          this.sweepCursor = undefined;
          return;
        }
        entry = next.value;
      }
      const [subject, log] = entry;
      budget -= this.expire(log, now, budget);
      // Out of budget in this subject: the next turn goes on there.
      this.sweepLog = budget === 0 ? entry : undefined;
      if (log.messages.length === 0 && log.subscriberCount === 0 && this.subjects.get(subject) === log) {
        this.subjects.delete(subject);
        this.index.dropped(subject);
        this.retainedLogs.delete(subject);
        this.nextLogStart = Math.max(this.nextLogStart, log.endSeq);
      }
    }
    this.sweepTurn = setImmediate(() => this.sweepOn());
  }

  private find(subject: string, id: string): MemorySubscriber | undefined {
    const subscriber = this.subscribers.get(id) ?? this.named.get(id);
    // A replaying pattern subscriber by its pattern, or (the management API's listings) its log's name.
    return subscriber !== undefined && (subscriber.subject === subject || subscriber.logName === subject) ? subscriber : undefined;
  }

  /** The activity order a subscriber is kept in. */
  private orderOf(subscriber: MemorySubscriber): Map<string, MemorySubscriber> {
    return subscriber.name === undefined ? this.subscribers : this.named;
  }

  private touch(subscriber: MemorySubscriber): void {
    subscriber.lastActiveMs = Date.now();
    const order = this.orderOf(subscriber);
    order.delete(subscriber.id);
    order.set(subscriber.id, subscriber);
  }

  /**
   * How many of the `available` messages from `seq` on fit in one answer's budget: at least one. On
   * a retained subject, or a pattern's, each is in `messages` (or the lean arrays) too.
   */
  private fitting(log: SubjectLog, seq: number, available: number, maxBytes: number, withMessages: boolean, lean: boolean): number {
    const { messages } = log;
    const front = seq - log.firstSeq;
    const { dataTimes, overhead } = withMessages ? weighing(log, lean) : { dataTimes: 1, overhead: 0 };
    let count = 0;
    for (let answerBytes = 0; count < available; count++) {
      const index = front + count;
      // subjectBytes: 0 but in a pattern's log, whose messages always come with their subject.
      answerBytes += dataTimes * messages.answerBytes(index) + overhead + messages.subjectBytes(index);
      if (answerBytes > maxBytes && count > 0) break;
    }
    return count;
  }

  /**
   * Messages due again first, lowest seq first, then new ones; each in flight until its deadline,
   * no more than leaves maxAckPending of the subscriber's and maxInFlight of all in flight. The
   * answer carries each message twice (`data` and `messages`), or once with its seq and delivery
   * count beside it (`lean`), and the budget counts it so.
   */
  private fetchAcknowledged(subscriber: MemorySubscriber, ack: AckState, wanted: number, maxBytes: number, maxInFlight = Infinity, lean = false): FetchedMessages {
    const { log } = subscriber;
    const ownBound = Math.min(ack.settings.maxAckPending!, maxInFlight);
    const inFlightRoom = Math.min(ownBound - ack.inFlight, this.limits.maxInFlight - this.inFlight);
    const max = Math.max(0, Math.min(wanted, inFlightRoom));
    const deadline = Date.now() + ack.settings.ackWaitMs;
    const data: string[] = [];
    const seqs: number[] = [];
    const deliveries: number[] = [];
    const inFlightBefore = ack.inFlight;
    const { dataTimes, overhead } = weighing(log, lean);
    const stored = log.messages;
    let answerBytes = 0;
    let redelivered = 0;
    const take = (seq: number): boolean => {
      const index = seq - log.firstSeq;
      answerBytes += dataTimes * stored.answerBytes(index) + overhead + stored.subjectBytes(index);
      if (answerBytes > maxBytes && data.length > 0) return false;
      const count = ack.deliver(seq, deadline);
      if (count > 1) redelivered += 1;
      data.push(stored.data(index));
      seqs.push(seq);
      deliveries.push(count);
      return true;
    };
    let room = true;
    while (room && data.length < max && ack.available.size > 0) {
      const seq = ack.available.minValue!;
      room = take(seq);
      if (room) ack.available.pop();
    }
    const endSeq = log.endSeq; // the log does not grow during a take
    while (room && data.length < max && ack.nextSeq < endSeq) room = take(ack.nextSeq);
    this.redelivered += redelivered;
    this.countInFlight(log, ack.inFlight - inFlightBefore);
    if (data.length > 0) this.schedule(subscriber, ack);
    const remaining = subscriber.pending;
    const retained = log.rule !== undefined;
    const pattern = log.pattern !== undefined;
    if (lean) {
      const taken: FetchedMessages = { data, remaining, seqs, deliveries };
      if (retained) taken.times = seqs.map((seq) => isoTime(stored.publishedMs(seq - log.firstSeq)));
      if (pattern) taken.subjects = seqs.map((seq) => stored.subject(seq - log.firstSeq)!);
      return taken;
    }
    const messages = new Array<DeliveredMessage>(data.length);
    for (let i = 0; i < data.length; i++) {
      const seq = seqs[i];
      const index = seq - log.firstSeq;
      if (pattern) messages[i] = { subject: stored.subject(index)!, seq, data: data[i], deliveries: deliveries[i] };
      else messages[i] = retained ? { seq, data: data[i], time: isoTime(stored.publishedMs(index)), deliveries: deliveries[i] } : { seq, data: data[i], deliveries: deliveries[i] };
    }
    return { data, remaining, messages };
  }

  /** Runs `change` on an acknowledged subscriber's state, then moves its hold on the log and its schedule. */
  private settle(subject: string, id: string, change: (subscriber: MemorySubscriber, ack: AckState) => number): SettleOutcome {
    const subscriber = this.find(subject, id);
    if (!subscriber) return 'bad-id';
    const { ack } = subscriber;
    if (!ack) return 'at-most-once';
    this.touch(subscriber);
    if (subscriber.log.rule) this.catchUp(subscriber);
    const floor = ack.floor;
    const inFlightBefore = ack.inFlight;
    const count = change(subscriber, ack);
    this.countInFlight(subscriber.log, ack.inFlight - inFlightBefore);
    this.reposition(subscriber, floor);
    this.schedule(subscriber, ack);
    if (subscriber.log.replay) this.scheduleReplay();
    return count;
  }

  /** The deadline timer's call: up to `budget` deadlines passed and delays over; returns how many. */
  private due(subscriber: MemorySubscriber, now: number, budget: number): number {
    const ack = subscriber.ack!;
    if (subscriber.log.rule) this.catchUp(subscriber);
    const floor = ack.floor;
    const inFlightBefore = ack.inFlight;
    let availableNow = false;
    let handled = 0;
    for (; handled < budget; handled++) {
      if (ack.deadlines.frontKey <= now) {
        const [deadline, seq] = [ack.deadlines.frontKey, ack.deadlines.frontValue];
        ack.deadlines.shift();
        if (ack.state(seq) !== Delivery.InFlight || ack.time(seq) !== deadline) continue; // acked, nacked or extended since
        if (this.exhausted(ack, seq)) this.exhaust(subscriber, ack, seq);
        else {
          ack.release(seq);
          availableNow = true;
        }
      } else if (ack.delayed.minKey <= now) {
        const [availableAt, seq] = [ack.delayed.minKey, ack.delayed.minValue!];
        ack.delayed.pop();
        if (ack.state(seq) !== Delivery.Delayed || ack.time(seq) !== availableAt) continue;
        ack.undelay(seq);
        availableNow = true;
      } else break;
    }
    this.countInFlight(subscriber.log, ack.inFlight - inFlightBefore);
    this.reposition(subscriber, floor);
    this.schedule(subscriber, ack);
    if (availableNow) this.events?.available(subscriber.subject, subscriber.id);
    return handled;
  }

  private exhausted(ack: AckState, seq: number): boolean {
    return ack.settings.maxDeliveries !== undefined && ack.deliveries(seq) >= ack.settings.maxDeliveries;
  }

  /** Delivered `maxDeliveries` times without an ack: to the dead-letter subject, or dropped. */
  private exhaust(subscriber: MemorySubscriber, ack: AckState, seq: number): void {
    // Stored again in the dead-letter subject's log: its own string, not a slice of a joined chunk.
    const data = subscriber.log.dataCopyAt(seq);
    ack.settle(seq);
    const target = ack.settings.deadLetterSubject;
    if (target !== undefined && this.publish(target, data) === 'ok') {
      this.deadLettered += 1;
      this.events?.published(target);
    } else {
      this.deadLetterDropped += 1;
      this.events?.dropped?.(subscriber.subject, target);
    }
  }

  /** Messages in flight changed by `delta` on `log`: counted for it and over all. */
  private countInFlight(log: SubjectLog, delta: number): void {
    this.inFlight += delta;
    log.inFlight += delta;
  }

  private schedule(subscriber: MemorySubscriber, ack: AckState): void {
    if (!subscriber.removed) this.deadlines.schedule(subscriber, ack.nextDue);
  }

  /** An acknowledged subscriber's floor moved from `from`: move its hold on the log, free what nobody holds. */
  private reposition(subscriber: MemorySubscriber, from: number): void {
    const to = subscriber.position;
    if (to === from || subscriber.removed) return;
    subscriber.log.addReader(from, -1);
    subscriber.log.addReader(to, 1);
    this.trim(subscriber.log);
  }

  /** Moves an at-most-once subscriber's read position forward, then frees what nobody holds any more. */
  private move(subscriber: MemorySubscriber, nextSeq: number): void {
    const { log } = subscriber;
    log.addReader(subscriber.nextSeq, -1);
    subscriber.nextSeq = nextSeq;
    log.addReader(nextSeq, 1);
    this.trim(log);
  }

  /** Costs the same whatever the subscriber held: its position is one counter. */
  private remove(subscriber: MemorySubscriber): void {
    this.orderOf(subscriber).delete(subscriber.id);
    if (subscriber.name !== undefined) subscriber.log.names!.delete(subscriber.name);
    subscriber.removed = true;
    this.index.unsubscribed(subscriber);
    this.deadlines.forget(subscriber);
    if (subscriber.ack) this.countInFlight(subscriber.log, -subscriber.ack.inFlight);
    const { log } = subscriber;
    log.subscriberCount -= 1;
    if (log.ownName !== undefined) {
      this.dropOwnLog(subscriber, log);
      return;
    }
    if (log.subscriberCount === 0 && !log.rule) {
      // The last one: the whole log goes at once, without a walk over its messages.
      this.subjects.delete(subscriber.subject);
      this.index.dropped(subscriber.subject);
      if (log.pattern !== undefined) this.patternLogs.delete(subscriber.subject);
      this.nextLogStart = Math.max(this.nextLogStart, log.endSeq);
      this.messagesHeld -= log.messages.length;
      this.bytesHeld -= log.bytes;
      return;
    }
    log.addReader(subscriber.position, -1);
    this.trim(log);
  }

  /** A replaying pattern subscriber's log goes with it, at once, with its cursors. */
  private dropOwnLog(subscriber: MemorySubscriber, log: SubjectLog): void {
    this.index.dropped(log.ownName!);
    const group = this.replayLogs.get(subscriber.subject)!;
    group.delete(log);
    if (group.size === 0) this.replayLogs.delete(subscriber.subject);
    this.ownLogs.delete(log);
    this.replaying.delete(log);
    log.replay = undefined;
    if (subscriber.name !== undefined) this.replayNames.delete(`${subscriber.subject}\n${subscriber.name}`);
    this.nextLogStart = Math.max(this.nextLogStart, log.endSeq);
    this.messagesHeld -= log.messages.length;
    this.bytesHeld -= log.bytes;
  }

  /** Drops the front messages no subscriber is positioned at or before: each message is dropped once. */
  private trim(log: SubjectLog): void {
    if (log.rule) return; // its rule drops its messages, not its readers
    const bytesBefore = log.bytes;
    this.messagesHeld -= log.dropUnread();
    this.bytesHeld -= bytesBefore - log.bytes;
  }
}

/** Where a new subscriber of `log` starts (a seq of it, or its end). */
function startOf(log: SubjectLog, deliver: DeliverPolicy | undefined): number {
  const { firstSeq, endSeq } = log;
  if (deliver === undefined || deliver === 'new') return endSeq;
  if (deliver === 'all') return firstSeq;
  if (deliver === 'last') return Math.max(firstSeq, endSeq - 1);
  if ('fromSeq' in deliver) return Math.min(Math.max(deliver.fromSeq, firstSeq), endSeq);
  // Publish times are in order: the first at or after fromTimeMs, by binary search.
  let low = firstSeq;
  let high = endSeq;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (log.messages.publishedMs(middle - firstSeq) < deliver.fromTimeMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * How a message of `log` weighs in an answer that carries it beside `data` (acknowledged, retained,
 * pattern): its data's answer bytes `dataTimes` over, and `overhead`, and a pattern's its subject.
 * A pattern's messages weigh as in the object form in a lean answer too: the Redis store keeps one
 * weight for each, its data and subject together (redis-pattern-forwarder.ts).
 */
function weighing(log: SubjectLog, lean: boolean): { dataTimes: number; overhead: number } {
  if (log.pattern !== undefined || !lean) return { dataTimes: 2, overhead: log.rule ? RETAINED_MESSAGE_OVERHEAD : DELIVERED_MESSAGE_OVERHEAD };
  return { dataTimes: 1, overhead: log.rule ? LEAN_RETAINED_ENTRY_OVERHEAD : LEAN_ENTRY_OVERHEAD };
}

function infoOf({ id, subject, ack, name }: MemorySubscriber): SubscriberInfo {
  const info: SubscriberInfo = ack ? { id, subject, ack: ack.settings } : { id, subject };
  if (name !== undefined) info.name = name;
  return info;
}
