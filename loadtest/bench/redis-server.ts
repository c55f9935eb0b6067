/** A throw-away redis-server for the benchmark, and the counters it keeps about itself. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { accepts, BackingProcess } from './backing-process.js';
import { freePort } from './servers.js';

/** Redis's counters at one moment; `since` turns two of them into what happened between. */
export interface RedisCounters {
  /** Commands processed (total_commands_processed). */
  commands: number;
  /**
   * Calls per command name (INFO commandstats), e.g. evalsha, hset, hmget; like `commands`, this
   * counts the commands scripts run as well as those clients send.
   */
  calls: Record<string, number>;
  /** CPU time of redis-server, user + system, in µs (INFO cpu). */
  cpuUs: number;
  /**
   * Reads of client sockets (total_reads_processed): Redis reads a socket each time something
   * arrived on it, so this counts the batches of commands it received, i.e. the round trips when
   * one client sends requests one at a time. A batch over 16 KiB takes more than one read.
   */
  reads: number;
  /** Bytes received from clients (total_net_input_bytes). */
  bytesIn: number;
}

export class RedisUnderTest extends BackingProcess {
  private constructor(
    readonly url: string,
    child: ChildProcess,
    dir: string,
    private readonly admin: Redis,
  ) {
    super(child, dir);
  }

  /** Starts redis-server on a free port, without persistence, in a temporary directory. */
  static async start(cpus?: string): Promise<RedisUnderTest> {
    const port = await freePort();
    const dir = mkdtempSync(join(os.tmpdir(), 'gophermq-bench-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
    const [command, commandArgs] = cpus ? ['taskset', ['-c', cpus, 'redis-server', ...args]] : ['redis-server', args];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `redis://127.0.0.1:${port}`;
    for (let attempt = 0; !(await accepts(port)); attempt++) {
      if (attempt === 100 || child.exitCode !== null) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`redis-server did not start on port ${port}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    const admin = new Redis(url);
    const redis = new RedisUnderTest(url, child, dir, admin);
    await admin.ping();
    return redis;
  }

  /** Empties Redis: each scenario starts from nothing, as its fresh brokers do. */
  async flush(): Promise<void> {
    await this.admin.flushall();
  }

  async counters(): Promise<RedisCounters> {
    const info = await this.admin.info('commandstats', 'stats', 'cpu');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s*([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
    const calls: Record<string, number> = {};
    for (const [, name, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[name] = Number(count);
    return {
      commands: field(info, 'total_commands_processed'),
      calls,
      cpuUs: Math.round((field(info, 'used_cpu_user') + field(info, 'used_cpu_sys')) * 1e6),
      reads: field(info, 'total_reads_processed'),
      bytesIn: field(info, 'total_net_input_bytes'),
    };
  }

  /** What happened between `before` and now, less this bench's own INFO call. */
  async since(before: RedisCounters): Promise<RedisCounters> {
    const after = await this.counters();
    const calls: Record<string, number> = {};
    for (const [name, count] of Object.entries(after.calls)) if (name !== 'info') calls[name] = count - (before.calls[name] ?? 0);
    return { commands: after.commands - before.commands - 1, calls, cpuUs: after.cpuUs - before.cpuUs, reads: after.reads - before.reads - 1, bytesIn: after.bytesIn - before.bytesIn };
  }

  override async stop(): Promise<void> {
    this.admin.disconnect();
    await super.stop();
  }
}
