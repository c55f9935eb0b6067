import type { ConsumedMessage } from '@gophermq/client';
import { Option, type Command } from 'commander';
import { BatchPublisher } from './batch-publisher.js';
import { clientFor, positiveInteger, runOrExit, wholeNumber, withConnectionOptions, type ConnectionOptions } from './connection-options.js';
import { lineBatches } from './line-batches.js';

/** `pub`, `sub`, `fetch` and `unsubscribe`: the broker's messages from a shell, on the client library. */
export function addMessageCommands(program: Command): void {
  withConnectionOptions(program.command('pub'))
    .description('publish one message per DATA argument, or one per line of standard input')
    .argument('<subject>')
    .argument('[data...]')
    .option('--batch-size <n>', 'lines sent per request; fewer when the broker\'s broker.max-batch-size is smaller', positiveInteger, 1000)
    .addHelpText(
      'after',
      '\nExamples:\n  gophermq pub orders.created \'{"orderId":42}\'\n  seq 100000 | gophermq pub jobs\n\nMessages arrive in the order given (one batch in flight at a time). Prints nothing on success.\nA refused message: "gophermq: <status> <message>" on standard error, exit 1; the lines after it are not sent.',
    )
    .action((subject: string, data: string[], options: ConnectionOptions & { batchSize: number }) =>
      runOrExit(options.url, async () => {
        const mq = clientFor(options);
        try {
          if (data.length === 1) await mq.publish(subject, data[0]);
          else await publishLines(new BatchPublisher(mq, options.batchSize), subject, data.length > 1 ? [data] : lineBatches(process.stdin, options.batchSize));
        } finally {
          mq.close();
        }
      }),
    );

  withConnectionOptions(program.command('sub'))
    .description('subscribe (or reuse the named subscriber) and print each message on its own line as it arrives')
    .argument('<subject>')
    .option('--name <name>', 'a durable named subscriber, shared by everyone using the name')
    .option('--ack', 'acknowledged delivery: each message is acked after it is printed')
    .option('--ack-wait-ms <ms>', 'with --ack: redelivered if not acked within this long', positiveInteger, 30_000)
    .option('--count <n>', 'exit after this many messages', positiveInteger)
    .option('--json', 'one JSON object per line: {"subject","seq","data"} (seq null when the broker gives none)')
    .addOption(new Option('--deliver <start>', 'where a new subscriber starts (all and last need a retained subject)').choices(['all', 'new', 'last']))
    .addHelpText('after', '\nExamples:\n  gophermq sub orders.created\n  gophermq sub jobs --name workers --ack --count 10 --json\n\nCtrl-C or SIGTERM stops at once; a subscriber without --name is removed.')
    .action((subject: string, options: ConnectionOptions & { name?: string; ack?: boolean; ackWaitMs: number; count?: number; json?: boolean; deliver?: 'all' | 'new' | 'last' }) =>
      runOrExit(options.url, async () => {
        const mq = clientFor(options);
        const subscription = await mq.subscribe(subject, {
          ...(options.name !== undefined && { name: options.name }),
          ...(options.deliver !== undefined && { deliver: options.deliver }),
          ...(options.ack && { ackWaitMs: options.ackWaitMs }),
        });
        const print = printer(options.json === true);
        let failure: unknown;
        const consumer = mq.consume(subscription, print, {
          concurrency: 100,
          limit: options.count,
          // Only the broker's errors: print's own failure (standard output closed) ends the command.
          onError: (error, message) => (message === undefined ? console.error(`gophermq: ${(error as Error).message}`) : (failure = error)),
        });
        const stop = () => void consumer.stop();
        process.once('SIGINT', stop).once('SIGTERM', stop);
        try {
          await consumer.done;
          if (failure !== undefined) throw failure;
        } finally {
          if (options.name === undefined) await mq.unsubscribe(subscription).catch(() => {});
          mq.close();
        }
      }),
    );

  withConnectionOptions(program.command('fetch'))
    .description('take the pending messages of a subscriber once, printing each on its own line')
    .argument('<subject>')
    .requiredOption('--id <id>', 'the id subscribe answered')
    .option('--max <n>', 'most messages to take', positiveInteger)
    .option('--wait-ms <ms>', 'when none is pending, wait up to this long for one', wholeNumber)
    .option('--json', 'one JSON object per line: {"subject","seq","data"}')
    .addHelpText('after', '\nExample:\n  gophermq fetch orders.created --id 3b241101-e2bb-4255-8caf-4136c566a962 --max 10 --wait-ms 5000')
    .action((subject: string, options: ConnectionOptions & { id: string; max?: number; waitMs?: number; json?: boolean }) =>
      runOrExit(options.url, async () => {
        const mq = clientFor(options);
        try {
          const answer = await mq.fetch({ subject, id: options.id }, { max: options.max, waitMs: options.waitMs });
          const print = printer(options.json === true);
          const messages = answer.messages ?? answer.data.map((data) => ({ data }));
          for (const message of messages) await print({ subject, ...message });
        } finally {
          mq.close();
        }
      }),
    );

  withConnectionOptions(program.command('unsubscribe'))
    .description('remove a subscriber')
    .argument('<subject>')
    .requiredOption('--id <id>', 'the id subscribe answered')
    .addHelpText('after', '\nExample:\n  gophermq unsubscribe orders.created --id 3b241101-e2bb-4255-8caf-4136c566a962')
    .action((subject: string, options: ConnectionOptions & { id: string }) =>
      runOrExit(options.url, async () => {
        const mq = clientFor(options);
        try {
          await mq.unsubscribe({ subject, id: options.id });
        } finally {
          mq.close();
        }
      }),
    );
}

/** Writes a message as a line; waits while standard output is full, so a slow reader slows the fetches. */
function printer(json: boolean): (message: ConsumedMessage) => Promise<void> | void {
  return (message) => {
    const line = json ? JSON.stringify({ subject: message.subject, seq: message.seq ?? null, data: message.data }) : message.data;
    if (!process.stdout.write(`${line}\n`)) return new Promise((resolve) => process.stdout.once('drain', resolve));
  };
}

/** Publishes each batch of lines in order, the next batch read and built while the last is in flight. */
async function publishLines(publisher: BatchPublisher, subject: string, batches: AsyncIterable<string[]> | Iterable<string[]>): Promise<void> {
  let inFlight: Promise<void> | undefined;
  for await (const lines of batches) {
    const messages = lines.map((data) => ({ subject, data }));
    await inFlight;
    inFlight = publisher.publish(messages);
    // Awaited below; a refusal while the next batch is read must not count as unhandled meanwhile.
    inFlight.catch(() => {});
  }
  await inFlight;
}
