import type { RedisClient } from '../redis/redis-client.js';
import type { RedisGuard } from '../redis/redis-guard.js';
import type { PushPage, PushRegistry, PushSettings, PushSubscription } from './push-registry.js';

/**
 * The push registry on Redis: one hash, `<prefix>{~}:push`, field `<subject> <id>` (subjects hold
 * no space), value the settings as JSON. One key in the broker-wide slot, so every command works
 * on a Cluster; listed with HSCAN ... COUNT, never KEYS, so each call reads a bounded page.
 */
export class RedisPushRegistry implements PushRegistry {
  private readonly key: string;

  constructor(
    private readonly client: RedisClient,
    private readonly guard: RedisGuard,
    /** globalBase(prefix): `<prefix>{~}`. */
    global: string,
  ) {
    this.key = `${global}:push`;
  }

  async register(subject: string, id: string, push: PushSettings): Promise<void> {
    await this.guard.call('push-register', () => this.client.hset(this.key, `${subject} ${id}`, JSON.stringify({ url: push.url, concurrency: push.concurrency })));
  }

  async remove(subject: string, id: string): Promise<void> {
    await this.guard.call('push-remove', () => this.client.hdel(this.key, `${subject} ${id}`));
  }

  async list(cursor: string, limit: number): Promise<PushPage> {
    const [next, flat] = await this.guard.call('push-list', () => this.client.hscan(this.key, cursor === '' ? '0' : cursor, 'COUNT', Math.max(1, limit)));
    const subscriptions: PushSubscription[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const entry = parseEntry(flat[i], flat[i + 1]);
      if (entry) subscriptions.push(entry);
    }
    return { subscriptions, cursor: next === '0' ? '' : next };
  }
}

/** An entry as written by register(); anything else (another build's, a hand edit) is passed over. */
function parseEntry(field: string, value: string): PushSubscription | undefined {
  const space = field.indexOf(' ');
  if (space <= 0) return undefined;
  try {
    const { url, concurrency } = JSON.parse(value) as { url?: unknown; concurrency?: unknown };
    if (typeof url !== 'string' || !Number.isSafeInteger(concurrency)) return undefined;
    return { subject: field.slice(0, space), id: field.slice(space + 1), push: { url, concurrency: concurrency as number } };
  } catch {
    return undefined;
  }
}
