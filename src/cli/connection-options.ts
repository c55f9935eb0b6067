import { DEFAULT_URL, GopherMQ, GopherMQConnectionError, GopherMQError } from '@gophermq/client';
import { type Command, InvalidArgumentError, Option } from 'commander';

export interface ConnectionOptions {
  url: string;
  token?: string;
}

/** `--url` and `--token`, from the environment when not given, on a command that talks to a broker. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the broker').env('GOPHERMQ_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'a bearer token (auth.enable)').env('GOPHERMQ_TOKEN'));
}

export function clientFor({ url, token }: ConnectionOptions): GopherMQ {
  return new GopherMQ({ url, token });
}

/** The one line a failed command prints: `gophermq: <status> <message>`, or why there was no answer. */
export function failureLine(error: unknown, url: string): string {
  if (error instanceof GopherMQError) return `gophermq: ${error.status} ${error.message}`;
  if (error instanceof GopherMQConnectionError) return `gophermq: ${url} did not answer: ${error.code ?? error.message}`;
  return `gophermq: ${(error as Error)?.message ?? String(error)}`;
}

/** Runs a command's work; a failure prints its line and exits 1. */
export async function runOrExit(url: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.error(failureLine(error, url));
    process.exit(1);
  }
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, at least 1');
  return n;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, at least 0');
  return n;
}
