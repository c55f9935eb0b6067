import { Agent, request } from 'node:http';

/** What one publish got: an answer, or the error's code (ECONNREFUSED, ECONNRESET, EPIPE, …). */
export type PublishOutcome = { status: number; connection: string | undefined } | { error: string };

/** How the publisher talks: Node's fetch (undici's pooled keep-alive connections) or node:http with a keep-alive Agent. */
export type PublisherClient = 'fetch' | 'http';

export interface PublisherOptions {
  /** Stop at the first connection refused (the broker's port closed), not only at stop(). */
  untilRefused?: boolean;
  /** The publish route: `/api/publish` (default), or `/api/publish/async`, which needs no subscriber. */
  path?: string;
}

/**
 * A client that publishes in a loop over one keep-alive connection, as fast as answers come, and
 * records every outcome; until stop(), or its first connection refused when `untilRefused`.
 */
export class KeepAlivePublisher {
  readonly outcomes: PublishOutcome[] = [];
  readonly done: Promise<void>;
  private stopped = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  private readonly untilRefused: boolean;
  private readonly path: string;

  constructor(
    private readonly client: PublisherClient,
    private readonly url: string,
    private readonly subject: string,
    { untilRefused = false, path = '/api/publish' }: PublisherOptions = {},
  ) {
    this.untilRefused = untilRefused;
    this.path = path;
    this.done = this.run();
  }

  /** Answers received so far. */
  get answered(): number {
    return this.outcomes.filter((outcome) => 'status' in outcome).length;
  }

  /** Codes of the errors, in order. */
  get errors(): string[] {
    return this.outcomes.flatMap((outcome) => ('error' in outcome ? [outcome.error] : []));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    try {
      for (let i = 0; !this.stopped; i++) {
        const outcome = await this.publish(`m${i}`).catch((error: Error & { code?: string; cause?: { code?: string } }) => ({
          error: error.cause?.code ?? error.code ?? error.message,
        }));
        this.outcomes.push(outcome);
        if (this.untilRefused && 'error' in outcome && outcome.error === 'ECONNREFUSED') return;
      }
    } finally {
      this.agent.destroy();
    }
  }

  private async publish(data: string): Promise<PublishOutcome> {
    const body = JSON.stringify({ subject: this.subject, data });
    if (this.client === 'fetch') {
      const response = await fetch(this.url + this.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      return { status: response.status, connection: response.headers.get('connection') ?? undefined };
    }
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(this.url);
      const sent = request(
        { host: hostname, port, method: 'POST', path: this.path, agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection }));
          response.on('error', reject);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
  }
}
