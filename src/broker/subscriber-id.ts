import { randomUUID } from 'node:crypto';

/** What randomUUID() gives: every subscriber id a store hands out has this form. */
const SUBSCRIBER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new subscriber id: a random UUID. */
export function newSubscriberId(): string {
  return randomUUID();
}

/**
 * Whether `id` could have come from a subscribe. Checked before any store call: a store may use
 * ids in names (Redis keys), so an id of any other form never reaches one, and is simply unknown
 * (404 `bad id`, as for an id nobody was given).
 */
export function isSubscriberId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 36 && SUBSCRIBER_ID.test(id);
}
