#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from './config/config.loader.js';
import { runBroker } from './main.js';

const program = new Command('gophermq').description('GopherMQ: a message broker over plain HTTP/JSON');

program
  .command('broker')
  .description('start the broker (settings: config.yaml in the working directory, then GOPHERMQ_ variables)')
  .option('-c, --config <file>', 'read this YAML file instead of ./config.yaml')
  .action(async (options: { config?: string }) => {
    try {
      await runBroker({ file: options.config });
    } catch (error) {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    }
  });

await program.parseAsync();
