import type { Awaitable } from '../message-store.js';

/** Where the broker POSTs a push subscriber's messages, and how many requests it keeps in flight. */
export interface PushSettings {
  /** The normalised URL (as the URL parser writes it) that passed push.allowed-urls at subscribe. */
  url: string;
  /** 1..100: most requests in flight for this subscriber, over every instance. */
  concurrency: number;
}

/** One push subscriber as the registry lists it. */
export interface PushSubscription {
  subject: string;
  id: string;
  push: PushSettings;
}

/** One page of a listing; `cursor` is '' once the listing is over. */
export interface PushPage {
  subscriptions: PushSubscription[];
  cursor: string;
}

/**
 * Which subscribers are push subscribers, shared by every instance of a store (a separate concern
 * from MessageStore: the subscriber itself is an ordinary acknowledged one, held there). Every
 * instance lists it, page by page, to learn of push subscribers created anywhere and before a
 * restart. An entry whose subscriber is gone (unsubscribed, expired) stays until someone removes
 * it: whoever pushes finds the subscriber gone and does (bounded by the subscribers ever created).
 */
export interface PushRegistry {
  /** Records (or replaces) the push settings of a subscriber. */
  register(subject: string, id: string, push: PushSettings): Awaitable<void>;
  /** Forgets a subscriber; nothing when it is not listed. */
  remove(subject: string, id: string): Awaitable<void>;
  /**
   * Up to about `limit` entries after `cursor` ('' to begin). A listing from '' to a returned '' sees
   * every entry present for its whole duration (others may be missed or repeated, as Redis's SCAN);
   * no call's cost grows with the number of entries beyond its page.
   */
  list(cursor: string, limit: number): Awaitable<PushPage>;
}

/** A store that keeps push subscribers has one. */
export interface PushRegistrySource {
  readonly pushRegistry: PushRegistry;
}

export const PUSH_REGISTRY = Symbol('PushRegistry');
