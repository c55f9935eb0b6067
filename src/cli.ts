#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { addAdminCommands } from './cli/admin-commands.js';
import { addMessageCommands } from './cli/message-commands.js';
import { readyStatus } from './health/ready-probe.js';
// The settings and the app are loaded by the commands that need them: `pub`, `sub` and `health`
// start in a fraction of the time without class-validator, Nest and the rest.

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('gophermq')
  .description('GopherMQ: a message broker over plain HTTP/JSON')
  .version(version, '-V, --version', 'print the version')
  .addHelpText('after', '\nExamples:\n  gophermq broker\n  gophermq sub orders.created &\n  gophermq pub orders.created \'{"orderId":42}\'\n  gophermq subjects --prefix orders.\n  gophermq health --url http://127.0.0.1:8082\n\n"gophermq <command> --help" shows the options of a command.');

program
  .command('broker')
  .description('start the broker (settings: config.yaml in the working directory, then GOPHERMQ_ variables)')
  .option('-c, --config <file>', 'read this YAML file instead of ./config.yaml')
  .action(async (options: { config?: string }) => {
    try {
      // Loaded here, not at the top: `gophermq health` runs every few seconds and needs none of the app.
      await import('reflect-metadata');
      const { runBroker } = await import('./main.js');
      await runBroker({ file: options.config });
    } catch (error) {
      console.error(await startupFailure(error));
      process.exit(1);
    }
  });

program
  .command('health')
  .description('exit 0 if the broker answers GET /ready on the port its settings give (read as `broker` reads them; https with broker.tls), else 1')
  .option('-c, --config <file>', 'read this YAML file instead of ./config.yaml')
  .option('-t, --timeout <ms>', 'give up after this many milliseconds', parseMilliseconds, 2000)
  .addOption(new Option('--url <url>', 'ask this broker instead of the one the settings give').env('GOPHERMQ_URL'))
  .addOption(new Option('--token <token>', 'accepted as on every command; /ready needs none').env('GOPHERMQ_TOKEN'))
  .action(async (options: { config?: string; timeout: number; url?: string }) => {
    let url: string;
    try {
      if (options.url !== undefined) url = `${options.url.replace(/\/+$/, '')}/ready`;
      else {
        // Its warning about foreign GOPHERMQ_ variables is the broker's to print, not every probe's.
        const { loadConfig } = await import('./config/config.loader.js');
        const { broker } = loadConfig({ file: options.config, warn: () => {} });
        url = `${broker.tls.certFile !== '' ? 'https' : 'http'}://${reachableHost(broker.host)}:${broker.port}/ready`;
      }
    } catch (error) {
      const { ConfigError } = await import('./config/config.loader.js');
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    }
    try {
      const status = await readyStatus(url, options.timeout);
      if (status === 204) {
        console.log('ok');
        process.exit(0);
      }
      console.error(`gophermq: ${url} answered ${status}`);
    } catch (error) {
      console.error(`gophermq: ${url} did not answer: ${describe(error)}`);
    }
    process.exit(1);
  });

/** What a failed start prints: the config problems, one line for a TLS file or an address that cannot be used, else the whole error. */
async function startupFailure(error: unknown): Promise<unknown> {
  const [{ ConfigError }, { TlsFileError }] = await Promise.all([import('./config/config.loader.js'), import('./common/tls/tls-file.error.js')]);
  if (error instanceof ConfigError) return error.message;
  if (error instanceof TlsFileError) return `gophermq: ${error.message}`;
  const { code, syscall, address, port, hostname } = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  if (syscall === 'listen' && address !== undefined) {
    const where = port === undefined ? address : `${address.includes(':') ? `[${address}]` : address}:${port}`;
    return `gophermq: cannot listen on ${where}: ${LISTEN_ERRORS[code ?? ''] ?? code}`;
  }
  if (syscall === 'getaddrinfo' && hostname !== undefined) {
    return `gophermq: cannot listen on ${hostname}: ${LISTEN_ERRORS[code ?? ''] ?? code}`;
  }
  return error;
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'host name lookup failed, try again',
};

/** The broker listens on every address for 0.0.0.0 and ::; ask it on the loopback one. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1) throw new InvalidArgumentError('a whole number of milliseconds, at least 1');
  return ms;
}

addMessageCommands(program);
addAdminCommands(program);

await program.parseAsync();
