import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client.js';

export interface WakeListener {
  /** A message was published to `subject` on another instance. */
  published(subject: string): void;
  /** A subscriber has messages again (redelivery, nack), on whichever instance found it. */
  available(subject: string, id: string): void;
  /** A subscriber was removed on another instance: its waiting fetches end. */
  removed(subject: string, id: string): void;
}

/**
 * Wakes fetches waiting on this instance when something happens on another: one Redis pub/sub
 * channel for all instances, on a connection of its own. The scripts publish to it only when a
 * fetch is waiting on the subject, so a busy subject nobody long-polls costs nothing here.
 * Messages: "p\n<instance>\n<subject>" (published), "w\n<subject>\n<id>" (messages again),
 * "u\n<subject>\n<id>" (unsubscribed).
 */
export class RedisWakeChannel {
  private connection?: RedisClient;

  constructor(
    private readonly client: RedisClient,
    readonly channel: string,
    private readonly instance: string,
    private readonly listener: WakeListener,
  ) {}

  /** What a publish on this instance sends, so the others wake their waiters. */
  publishedMessage(subject: string): string {
    return `p\n${this.instance}\n${subject}`;
  }

  async start(): Promise<void> {
    const connection = duplicate(this.client);
    this.connection = connection;
    connection.on('error', () => {}); // reported by the main connection
    connection.on('message', (_channel: string, message: string) => this.receive(message));
    // Subscribes on every (re)connection: also when Redis was down at start.
    connection.on('ready', () => void connection.subscribe(this.channel).catch(() => {}));
  }

  async stop(): Promise<void> {
    this.connection?.disconnect();
  }

  private receive(message: string): void {
    const [kind, first, second] = message.split('\n', 3);
    if (kind === 'p' && first !== this.instance) this.listener.published(second);
    else if (kind === 'w') this.listener.available(first, second);
    else if (kind === 'u') this.listener.removed(first, second);
  }
}

/** A connection for pub/sub: no command timeout, since a subscribed connection only listens. */
function duplicate(client: RedisClient): RedisClient {
  if (client instanceof Cluster) {
    return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, commandTimeout: undefined } });
  }
  return client.duplicate({ commandTimeout: undefined });
}
