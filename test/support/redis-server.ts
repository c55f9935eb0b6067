import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** Runs one redis-cli command against 127.0.0.1:port and answers its output, trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout.trim();
}

async function answersPing(port: number): Promise<boolean> {
  return redisCli(port, 'PING').then(
    (reply) => reply === 'PONG',
    () => false,
  );
}

export interface RedisServerOptions {
  /** Every write is in the append-only file, fsynced, before Redis answers it: survives kill -9. */
  appendOnly?: boolean;
  /** More `redis-server` arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
  /** The port to listen on; a free one by default. */
  port?: number;
}

/** A `redis-server` of the test's own, on its own port and data directory, without snapshots. */
export class RedisServer {
  private static readonly started = new Set<RedisServer>();
  private child!: ChildProcess;
  private exited!: Promise<void>;
  /** What redis-server printed, for the error when it does not start. */
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  /** For afterEach/afterAll: a test that failed half-way must not leave a Redis running, nor its files. */
  static killAll(): void {
    for (const server of RedisServer.started) {
      server.child.kill('SIGKILL');
      rmSync(server.dir, { recursive: true, force: true });
    }
    RedisServer.started.clear();
  }

  static async start({ appendOnly = false, args = [], port }: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'gophermq-redis-'));
    const persistence = appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const server = new RedisServer(port ?? (await freePort()), dir, [...persistence, ...args]);
    RedisServer.started.add(server);
    try {
      await server.launch();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `redis://${this.host}`;
  }

  /** Runs one command on this server, e.g. `command('DBSIZE')`. */
  command(...args: string[]): Promise<string> {
    return redisCli(this.port, ...args);
  }

  /** Empties every database. */
  async flush(): Promise<void> {
    await this.command('FLUSHALL');
  }

  /** Stops it as an operator would (SIGTERM: Redis finishes what it is doing, then exits). */
  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  /** Kills it without warning (SIGKILL), keeping its data directory for restart(). */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** Freezes it (SIGSTOP): connections stay open, nothing is answered, as with a hung server or a lost network. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  /** Lets a paused server run again (SIGCONT): it answers what it was sent meanwhile. */
  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** Starts it again, stopped or killed, on the same port and data directory; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.stop();
    await this.launch();
  }

  /** Stops it, then removes its data directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    RedisServer.started.delete(this);
  }

  private async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--daemonize', 'no', '--logfile', '', ...this.args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk) => (this.output += chunk));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void this.exited.then(() => (gone = true));
    await eventually(async () => {
      if (gone) throw new Error(`redis-server on port ${this.port} exited: ${this.output}`);
      return answersPing(this.port);
    }, 10_000);
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
      if (signal !== 'SIGKILL') this.child.kill('SIGCONT'); // a paused server acts on SIGTERM only once it runs
    }
    await this.exited;
  }
}

/** Whether nothing listens on 127.0.0.1:port right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port for a cluster node whose bus port (port + 10000) is free too: taken below the system's
 * ephemeral range (32768 and up on Linux), where outgoing connections do not land by chance.
 */
async function clusterPort(taken: number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.some((other) => Math.abs(other - port) < 2)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}

/** A real Redis Cluster of three masters, no replicas, each a RedisServer of its own. */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  static async start(): Promise<RedisCluster> {
    const ports: number[] = [];
    for (let i = 0; i < 3; i += 1) ports.push(await clusterPort(ports));
    const servers = await Promise.all(
      ports.map((port) => RedisServer.start({ port, args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000'] })),
    );
    const cluster = new RedisCluster(servers);
    try {
      await run('redis-cli', ['--cluster', 'create', ...servers.map((server) => server.host), '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: 30_000,
      });
      await eventually(async () => {
        const states = await Promise.all(servers.map((server) => server.command('CLUSTER', 'INFO')));
        return states.every((info) => /^cluster_state:ok\r?$/m.test(info));
      }, 30_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The seeds for `redis.cluster-nodes`: `127.0.0.1:port,127.0.0.1:port,127.0.0.1:port`. */
  get nodes(): string {
    return this.servers.map((server) => server.host).join(',');
  }

  /** The master that serves `key`'s hash slot: the others answer MOVED. */
  async masterOf(key: string): Promise<RedisServer> {
    for (const server of this.servers) if (!(await server.command('EXISTS', key)).startsWith('MOVED')) return server;
    throw new Error(`no master serves ${key}`);
  }

  /** Stops every node and removes their data directories. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }
}
