import { GopherMQError, type GopherMQ, type Message, type PublishResult } from '@gophermq/client';

/** The status a refused entry of a batch would have had as a publish of its own. */
const REFUSAL_STATUS: Record<string, number> = { 'invalid subject': 400, forbidden: 403, 'subscriber not found': 404, 'broker overflow': 429 };

/** The broker's answer to a batch longer than its broker.max-batch-size; nothing of the batch was published. */
const TOO_LONG = /^messages: at most (\d+) entries$/;
/** The broker's answer to a body of more values than a batch of its size has (refused before parsing: nothing published). */
const TOO_MANY_VALUES = /^body: more than \d+ values$/;

/**
 * Publishes messages in batches of at most `batchSize`, one request at a time: the broker gives a
 * subject's messages their seqs in the order requests arrive, so two batches in flight at once
 * could land in either order. A broker whose broker.max-batch-size is smaller refuses a longer
 * batch whole (400, nothing published): "at most N entries" (the batch is sent again in pieces of
 * N, and the later batches too), or, far longer, "more than M values" from the scan before parsing
 * (pieces of half the size, until one is taken or says N). The first refused entry ends it with a
 * `RefusedMessage`.
 */
export class BatchPublisher {
  constructor(
    private readonly mq: GopherMQ,
    private batchSize: number,
  ) {}

  async publish(messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; ) {
      const batch = start === 0 && messages.length <= this.batchSize ? messages : messages.slice(start, start + this.batchSize);
      let results: PublishResult[];
      try {
        results = await this.mq.publishBatch(batch);
      } catch (error) {
        const limit = smallerBatchFor(error, batch.length);
        if (limit === undefined) throw error;
        this.batchSize = limit;
        continue;
      }
      refuseOnFirst(results);
      start += batch.length;
    }
  }
}

/** The batch size to try after this refusal of a batch of `size`; undefined: not a refusal of its length. */
function smallerBatchFor(error: unknown, size: number): number | undefined {
  if (!(error instanceof GopherMQError) || error.status !== 400) return undefined;
  const limit = Number(TOO_LONG.exec(error.message)?.[1]);
  if (limit >= 1 && limit < size) return limit;
  if (size > 1 && error.errors?.length === 1 && TOO_MANY_VALUES.test(error.errors[0])) return Math.floor(size / 2);
  return undefined;
}

function refuseOnFirst(results: readonly PublishResult[]): void {
  for (const result of results) {
    if (result.message !== undefined) throw new RefusedMessage(REFUSAL_STATUS[result.message] ?? 400, result.message);
  }
}

/** A batch entry the broker refused; printed as `gophermq: <status> <message>`, like a refused publish. */
export class RefusedMessage extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status} ${message}`);
    this.name = 'RefusedMessage';
  }
}
