import type { SubjectFigures } from '@gophermq/client';
import type { Command } from 'commander';
import { clientFor, positiveInteger, runOrExit, withConnectionOptions, type ConnectionOptions } from './connection-options.js';

const COLUMNS: Array<[header: string, value: (figures: SubjectFigures) => string]> = [
  ['SUBJECT', (f) => f.subject],
  ['SUBSCRIBERS', (f) => String(f.subscribers)],
  ['PENDING', (f) => String(f.pending)],
  ['BYTES', (f) => String(f.pendingBytes)],
  ['IN FLIGHT', (f) => String(f.inFlight)],
  ['RETAINED', (f) => String(f.retained)],
];

/** `subjects`: the management API's listing, a page at a time so a large broker is not read whole. */
export function addAdminCommands(program: Command): void {
  withConnectionOptions(program.command('subjects'))
    .description('list the subjects with their subscribers and backlogs (the management API: auth needs a manage token)')
    .option('--prefix <prefix>', 'only subjects starting with this')
    .option('--limit <n>', 'at most this many subjects (default: all of them)', positiveInteger)
    .option('--json', 'one JSON object per line: {"subject","subscribers","pending","pendingBytes","inFlight","retained"}')
    .addHelpText('after', '\nExamples:\n  gophermq subjects\n  gophermq subjects --prefix orders. --limit 20\n  gophermq subjects --json | jq -c \'select(.pending > 1000)\'')
    .action((options: ConnectionOptions & { prefix?: string; limit?: number; json?: boolean }) =>
      runOrExit(options.url, async () => {
        const mq = clientFor(options);
        try {
          let listed = 0;
          const rows: SubjectFigures[] = [];
          const pageLimit = Math.min(1000, options.limit ?? 1000);
          for await (const figures of mq.admin.allSubjects({ prefix: options.prefix, limit: pageLimit })) {
            if (options.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
            else rows.push(figures);
            if (options.limit !== undefined && ++listed >= options.limit) break;
          }
          if (!options.json) process.stdout.write(table(rows));
        } finally {
          mq.close();
        }
      }),
    );
}

/** Columns padded to their widest cell, numbers right-aligned; a header even when there is no subject. */
function table(rows: SubjectFigures[]): string {
  const cells = [COLUMNS.map(([header]) => header), ...rows.map((row) => COLUMNS.map(([, value]) => value(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd() + '\n').join('');
}
