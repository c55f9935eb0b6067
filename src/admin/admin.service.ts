import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { BrokerError } from '../broker/broker.error.js';
import { BrokerService } from '../broker/broker.service.js';
import type { MessageStore } from '../broker/store/message-store.js';
import { isoTime } from '../broker/store/iso-time.js';
import type { SubscriberFigures } from '../broker/store/store-inspection.js';
import { isValidSubject } from '../broker/subject.js';
import { isSubscriberId } from '../broker/subscriber-id.js';
import { GopherMqConfig } from '../config/gophermq-config.js';
import { StreamHub } from '../stream/stream-hub.js';
import type { BrokerStatsDto, PeekAnswerDto, SubjectDetailDto, SubjectPageDto, SubscriberFiguresDto } from './admin-answers.dto.js';
import { encodeCursor, limitOf, prefixOf, subjectCursorOf, subscriberCursorOf, type Query } from './admin-query.js';
import { DEFAULT_PEEK } from './admin-requests.dto.js';
import { RequestTotalsReader } from './request-totals.js';

/** The version in package.json (the build ships it beside dist/). */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The management API: what the store holds, looked at without changing it, and the operator's actions. */
@Injectable()
export class AdminService {
  private readonly store: MessageStore;

  constructor(
    private readonly broker: BrokerService,
    private readonly config: GopherMqConfig,
    private readonly requests: RequestTotalsReader,
    private readonly streams: StreamHub,
  ) {
    this.store = broker.store;
  }

  async subjects(query: Query): Promise<SubjectPageDto> {
    const prefix = prefixOf(query);
    const limit = limitOf(query);
    const page = await this.store.listSubjects(prefix, subjectCursorOf(query), limit);
    return { subjects: page.items, next: encodeCursor(page.next) };
  }

  async subject(subject: string, query: Query): Promise<SubjectDetailDto> {
    if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
    const limit = limitOf(query);
    const after = subscriberCursorOf(query);
    const [figures, page] = await Promise.all([this.store.subjectFigures(subject), this.store.listSubscribers(subject, after, limit)]);
    if (!figures || !page) throw BrokerError.subjectNotFound();
    const { subscribers, ...counts } = figures;
    return { ...counts, subscriberCount: subscribers, subscribers: page.items.map((figures) => subscriberDto(figures, this.streams.streamsOf(figures.id))), next: encodeCursor(page.next) };
  }

  async peek(subject: string, id: string | undefined, max = DEFAULT_PEEK): Promise<PeekAnswerDto> {
    if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
    if (id !== undefined && !isSubscriberId(id)) throw BrokerError.badId();
    const messages = await this.store.peek(subject, id, max);
    if (!messages) throw id === undefined ? BrokerError.subjectNotFound() : BrokerError.badId();
    return { messages: messages.map(({ seq, data, publishedMs }) => (publishedMs === undefined ? { seq, data } : { seq, data, time: isoTime(publishedMs) })) };
  }

  async purge(subject: string, id: string | undefined): Promise<number> {
    if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
    if (id !== undefined && !isSubscriberId(id)) throw BrokerError.badId();
    const purged = await this.store.purge(subject, id);
    if (purged === undefined) throw id === undefined ? BrokerError.subjectNotFound() : BrokerError.badId();
    this.broker.counters.purged += purged;
    return purged;
  }

  /** A forced unsubscribe, of any subscriber: as its own client's, waiting fetches ended. */
  unsubscribe(subject: string, id: string): Promise<void> {
    return this.broker.unsubscribe(subject, id);
  }

  async stats(): Promise<BrokerStatsDto> {
    const { messagesHeld, bytesHeld, subscribers, subjects, inFlight, retained, retainedBytes } = await this.store.stats();
    const { broker } = this.config;
    const { published, delivered, expiredSubscribers, purged, refused } = this.broker.counters;
    const requests = await this.requests.read();
    return {
      version: VERSION,
      store: broker.store,
      uptimeSeconds: Math.floor(process.uptime()),
      instances: this.store.instances ? await this.store.instances() : 1,
      counts: { messagesHeld, bytesHeld, subscribers, subjects, inFlight, retained, retainedBytes },
      limits: {
        maxPending: broker.maxPending,
        maxPendingBytes: broker.maxPendingBytes,
        maxPendingPerSubject: broker.maxPendingPerSubject,
        maxPendingBytesPerSubject: broker.maxPendingBytesPerSubject,
        maxSubscribers: broker.maxSubscribers,
        maxInFlight: broker.maxInFlight,
      },
      totals: { published, delivered, expiredSubscribers, purged, refusedNoSubscriber: refused.no_subscriber, refusedOverflow: refused.overflow + refused.subject_overflow, ...requests },
    };
  }
}

function subscriberDto({ id, name, ack, pending, inFlight, lastActiveMs }: SubscriberFigures, streams: number): SubscriberFiguresDto {
  const dto: SubscriberFiguresDto = { id, pending, inFlight, lastActiveAt: isoTime(lastActiveMs), streams };
  if (name !== undefined) dto.name = name;
  if (ack) {
    dto.ackWaitMs = ack.ackWaitMs;
    if (ack.maxDeliveries !== undefined) dto.maxDeliveries = ack.maxDeliveries;
    if (ack.deadLetterSubject !== undefined) dto.deadLetterSubject = ack.deadLetterSubject;
    if (ack.maxAckPending !== undefined) dto.maxAckPending = ack.maxAckPending;
  }
  return dto;
}
