import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus/dist/metrics/index.js';
import type { Counter, Registry } from 'prom-client';
import { AsyncPublishQueue } from '../async-publish/async-publish.queue.js';
import { BrokerService } from '../broker/broker.service.js';
import type { StoreStats } from '../broker/store/message-store.js';
import { GopherMqConfig, type BrokerConfig } from '../config/gophermq-config.js';
import { StoreStatsReader } from './store-stats.reader.js';

/**
 * What an operator of the queue watches. Every value is read from the broker when Prometheus
 * scrapes (`collect`), so nothing on the request path keeps these in step.
 */
export function brokerMetricProviders(registry: Registry): Provider[] {
  const registers = [registry];
  return [
    storeGauge(registers, 'gophermq_messages_held', (stats) => stats.messagesHeld,
      'Messages held for subscribers that have not fetched them; a message counts once however many subscribers hold it.'),
    storeGauge(registers, 'gophermq_messages_held_bytes', (stats) => stats.bytesHeld,
      'Bytes of message data (UTF-8) held, counted like gophermq_messages_held.'),
    limitGauge(registers, 'gophermq_broker_max_pending', (broker) => broker.maxPending,
      'Limit on gophermq_messages_held (broker.max-pending); a publish past it is refused with 429.'),
    limitGauge(registers, 'gophermq_broker_max_pending_bytes', (broker) => broker.maxPendingBytes,
      'Limit on gophermq_messages_held_bytes (broker.max-pending-bytes).'),
    storeGauge(registers, 'gophermq_subscribers', (stats) => stats.subscribers,
      'Subscribers registered.'),
    limitGauge(registers, 'gophermq_broker_max_subscribers', (broker) => broker.maxSubscribers,
      'Limit on gophermq_subscribers (broker.max-subscribers); a subscribe past it is refused with 429.'),
    storeGauge(registers, 'gophermq_subjects', (stats) => stats.subjects,
      'Subjects with at least one subscriber.'),
    storeGauge(registers, 'gophermq_oldest_pending_message_age_seconds', (stats) => stats.oldestPendingAgeMs / 1000,
      'Age of the oldest message some subscriber has not fetched yet; 0 when none is pending.'),
    storeGauge(registers, 'gophermq_messages_in_flight', (stats) => stats.inFlight,
      'Messages delivered to acknowledged subscribers and not yet acked, nacked or past their ack deadline; part of gophermq_messages_held.'),
    makeGaugeProvider({
      name: 'gophermq_waiting_fetches',
      help: 'Fetches parked waiting for a message (long-poll, waitMs > 0).',
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        this.set(broker.waiters.size);
      },
    }),
    makeGaugeProvider({
      name: 'gophermq_async_queue_depth',
      help: 'Async publishes accepted and not yet handed to the broker.',
      registers,
      inject: [AsyncPublishQueue],
      collect(queue: AsyncPublishQueue) {
        this.set(queue.depth);
      },
    }),
    makeGaugeProvider({
      name: 'gophermq_async_queue_capacity',
      help: 'Limit on gophermq_async_queue_depth (broker.async-queue-capacity); past it /api/publish/async answers 429.',
      registers,
      inject: [AsyncPublishQueue],
      collect(queue: AsyncPublishQueue) {
        this.set(queue.capacity);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_messages_published_total',
      help: 'Messages the broker accepted, from any publish route.',
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        setCounter(this, broker.counters.published);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_messages_delivered_total',
      help: 'Messages handed to subscribers by fetches and event streams; one per subscriber copy.',
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        setCounter(this, broker.counters.delivered);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_messages_refused_total',
      help: 'Publishes the broker refused, by reason: no_subscriber, overflow (a broker-wide limit), subject_overflow (a per-subject limit). Invalid requests are refused earlier, with 400, and counted only in gophermq_client_request_rate.',
      labelNames: ['reason'],
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        setCounters(this, broker.counters.refused);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_async_publish_failures_total',
      help: 'Accepted async publishes that failed in the background, by reason: no_subscriber, overflow, error.',
      labelNames: ['reason'],
      registers,
      inject: [AsyncPublishQueue],
      collect(queue: AsyncPublishQueue) {
        setCounters(this, queue.failures);
      },
    }),
    storeCounter(registers, 'gophermq_messages_redelivered_total', (stats) => stats.redelivered,
      'Deliveries to acknowledged subscribers after the first: a message delivered again after its ack deadline passed or a nack.'),
    storeCounter(registers, 'gophermq_messages_dead_lettered_total', (stats) => stats.deadLettered,
      'Messages published to their subscriber\'s dead-letter subject after maxDeliveries deliveries without an ack.'),
    storeCounter(registers, 'gophermq_messages_dropped_total', (stats) => stats.deadLetterDropped,
      'Messages given up after maxDeliveries deliveries without an ack: no dead-letter subject, or it refused them (no subscriber, a limit).'),
    storeGauge(registers, 'gophermq_pattern_subscriptions', (stats) => stats.patterns,
      'Wildcard logs: patterns (subscribe subjects with * or >) with at least one subscriber without deliver, and each subscriber of a pattern with deliver (a replay: a log of its own); each counted in gophermq_subjects too.'),
    storeGauge(registers, 'gophermq_messages_retained', (stats) => stats.retained,
      'Messages kept by retained subjects (config.yaml retention), read or not; part of gophermq_messages_held.'),
    storeGauge(registers, 'gophermq_messages_retained_bytes', (stats) => stats.retainedBytes,
      'Bytes of message data (UTF-8) kept by retained subjects; part of gophermq_messages_held_bytes.'),
    makeCounterProvider({
      name: 'gophermq_retention_dropped_total',
      help: `Messages a retention rule dropped, by reason: age (max-age), messages (max-messages), bytes (max-bytes), with discard: old. ${STORE_WIDE_HELP}`,
      labelNames: ['reason'],
      registers,
      inject: [StoreStatsReader],
      async collect(stats: StoreStatsReader) {
        setCounters(this, (await stats.read()).retentionDropped);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_subscribers_expired_total',
      help: 'Subscribers removed after broker.subscriber-idle-timeout (named ones: broker.named-subscriber-idle-timeout) seconds without activity.',
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        setCounter(this, broker.counters.expiredSubscribers);
      },
    }),
    makeCounterProvider({
      name: 'gophermq_purged_messages_total',
      help: 'Messages dropped by POST /api/admin/purge (on this instance).',
      registers,
      inject: [BrokerService],
      collect(broker: BrokerService) {
        setCounter(this, broker.counters.purged);
      },
    }),
  ];
}

/**
 * Said in the help of every series read from the store's statistics: on the Redis store they are the
 * store's figures, not the instance's, so N brokers report the same value and a sum() shows N times it.
 */
export const STORE_WIDE_HELP = 'Store-wide: every broker on one Redis store reports the same value, so aggregate it with max(), not sum().';

/** A gauge read from the store's statistics (StoreStatsReader: one read per monitoring.store-stats-interval-ms). */
function storeGauge(registers: Registry[], name: string, value: (stats: StoreStats) => number, help: string): Provider {
  return makeGaugeProvider({
    name,
    help: `${help} ${STORE_WIDE_HELP}`,
    registers,
    inject: [StoreStatsReader],
    async collect(stats: StoreStatsReader) {
      this.set(value(await stats.read()));
    },
  });
}

/** A counter that mirrors a running total the store keeps, read like storeGauge. */
function storeCounter(registers: Registry[], name: string, total: (stats: StoreStats) => number, help: string): Provider {
  return makeCounterProvider({
    name,
    help: `${help} ${STORE_WIDE_HELP}`,
    registers,
    inject: [StoreStatsReader],
    async collect(stats: StoreStatsReader) {
      setCounter(this, total(await stats.read()));
    },
  });
}

/** A gauge that shows a configured limit, so dashboards can draw the value against it. */
function limitGauge(registers: Registry[], name: string, value: (broker: BrokerConfig) => number, help: string): Provider {
  return makeGaugeProvider({
    name,
    help,
    registers,
    inject: [GopherMqConfig],
    collect(config: GopherMqConfig) {
      this.set(value(config.broker));
    },
  });
}

/** A counter mirrors a running total the broker keeps; prom-client has no set() for counters. */
function setCounter(counter: Counter<string>, total: number): void {
  counter.reset();
  counter.inc(total);
}

/** Every reason is exported, zeros included, so rate() works from the first failure on. */
function setCounters(counter: Counter<string>, totals: Record<string, number>): void {
  counter.reset();
  for (const [reason, total] of Object.entries(totals)) counter.inc({ reason }, total);
}
