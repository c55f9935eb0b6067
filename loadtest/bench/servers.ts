/** Starts the servers under test as child processes, with the probe preloaded, and stops them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JsonClient } from './http-client.js';
import type { ProbeRequest, ProbeStats } from './probe.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root, seen from loadtest/bench/dist. */
export const REPO_ROOT = resolve(HERE, '../../..');
const PROBE_URL = pathToFileURL(join(HERE, 'probe.js')).href;

export type ServerKind = 'broker' | 'baseline';

export interface StartOptions {
  /** Path of the broker's cli.js (default: this repository's dist/cli.js). */
  brokerCli?: string;
  /** Extra node flags, e.g. --cpu-prof or --expose-gc. */
  nodeArgs?: string[];
  /** Extra environment for the broker, e.g. GOPHERMQ_ settings. */
  env?: Record<string, string>;
  /**
   * A/B mode: run this broker build (its cli.js) in the baseline's place instead of bare Fastify,
   * to measure a change against another build with the same alternation.
   */
  compareCli?: string;
  /** Extra environment for the compared broker. */
  compareEnv?: Record<string, string>;
  /** Linux: pin the servers to these CPUs (taskset -c), away from the load generator. */
  cpus?: string;
  /** A config.yaml for the broker(s) (e.g. retention rules): written to a directory of their own, their working directory. */
  configYaml?: string;
}

/** A running server with its probe. */
export class ServerUnderTest {
  readonly client: JsonClient;
  private seq = 0;
  private readonly pending = new Map<number, (stats: ProbeStats) => void>();
  private exited?: Promise<number | null>;

  constructor(
    readonly kind: ServerKind,
    readonly url: string,
    private readonly child: ChildProcess,
    /** Port of a broker's /metrics; undefined for the baseline. */
    readonly metricsPort?: number,
  ) {
    this.client = new JsonClient(url);
    child.on('message', (message: ProbeStats) => {
      if (message?.probe === 'stats') this.pending.get(message.seq)?.(message);
    });
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Memory and CPU figures from inside the server; `gc` collects first when --expose-gc is set. */
  stats(gc = false, timeoutMs = 30_000, resetLoopDelay = false): Promise<ProbeStats> {
    const seq = ++this.seq;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`${this.kind}: probe did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, (stats) => {
        clearTimeout(timer);
        this.pending.delete(seq);
        resolvePromise(stats);
      });
      const request: ProbeRequest = { probe: 'stats', seq, gc, resetLoopDelay };
      this.child.send(request);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Ends the process at once (the bench is exiting and cannot wait). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Resolves with the exit code if the process ends; used to fail fast during start-up. */
  whenExited(): Promise<number | null> {
    return this.exited!;
  }
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Settings that let the benchmark measure throughput rather than the limits (429s still count as errors). */
export const BENCH_BROKER_ENV: Record<string, string> = {
  GOPHERMQ_LOGGER_LEVEL: 'warn',
  GOPHERMQ_BROKER_HOST: '127.0.0.1',
  GOPHERMQ_BROKER_MAX__PENDING: String(100_000_000),
  GOPHERMQ_BROKER_MAX__PENDING__BYTES: String(8 * 1024 ** 3),
  GOPHERMQ_BROKER_MAX__PENDING__PER__SUBJECT: String(100_000_000),
  GOPHERMQ_BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(8 * 1024 ** 3),
};

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<ServerUnderTest> {
  const port = await freePort();
  const nodeArgs = ['--import', PROBE_URL, ...(options.nodeArgs ?? [])];
  let args: string[];
  let env: NodeJS.ProcessEnv;
  let metricsPort: number | undefined;
  const asBroker = kind === 'broker' || options.compareCli !== undefined;
  if (asBroker) {
    const cli = kind === 'broker' ? (options.brokerCli ?? join(REPO_ROOT, 'dist/cli.js')) : options.compareCli!;
    if (!existsSync(cli)) throw new Error(`${cli} not found: run \`npm run build\` first`);
    // Metrics stay on, as in production, on a port of their own.
    metricsPort = await freePort();
    args = [...nodeArgs, cli, 'broker'];
    env = {
      ...withoutGopherMqVariables(process.env),
      ...BENCH_BROKER_ENV,
      GOPHERMQ_BROKER_PORT: String(port),
      GOPHERMQ_MONITORING_PORT: String(metricsPort),
      ...(kind === 'broker' ? options.env : options.compareEnv),
    };
  } else {
    args = [...nodeArgs, join(HERE, 'baseline-server.js'), String(port)];
    env = { ...withoutGopherMqVariables(process.env), ...options.env };
  }
  // The broker reads config.yaml from its working directory: start it where there is none.
  const [command, commandArgs] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...args]] : [process.execPath, args];
  let cwd = HERE;
  if (asBroker && options.configYaml !== undefined) {
    cwd = mkdtempSync(join(tmpdir(), 'gophermq-bench-'));
    writeFileSync(join(cwd, 'config.yaml'), options.configYaml);
  }
  const child = spawn(command, commandArgs, { env, cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const server = new ServerUnderTest(kind, `http://127.0.0.1:${port}`, child, metricsPort);
  track(server, server.whenExited());
  await waitUntilReady(server);
  return server;
}

/** A process the bench started and must stop on its way out: a server under test, a redis-server, a nats-server. */
export interface StartedProcess {
  /** Stops it gracefully (and cleans up what it left, e.g. its data directory). */
  stop(): Promise<void>;
  /** Ends it at once (the bench is exiting and cannot wait). */
  kill(): void;
}

/** Every process started and not yet exited, whichever scenario started it: the servers, then what they stand on. */
const running = { servers: new Set<StartedProcess>(), backing: new Set<StartedProcess>() };

/**
 * Registers a process to stop in stopAllServers, until `exited` settles. "backing" processes
 * (redis-server, nats-server) are stopped after the servers, which may be using them.
 */
export function track(started: StartedProcess, exited: Promise<unknown>, tier: keyof typeof running = 'servers'): void {
  running[tier].add(started);
  void exited.then(() => running[tier].delete(started));
}

/**
 * Stops every process still running: a scenario that fails (a broker that cannot start, a load
 * that throws) leaves the others it started, and their inherited output pipes kept the bench's
 * caller waiting. The bench calls this on its way out, whatever happened.
 */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running.servers].map((server) => server.stop()));
  await Promise.all([...running.backing].map((server) => server.stop()));
}

// An exit without the above (an uncaught error, process.exit): no server outlives the bench.
process.once('exit', () => {
  for (const server of [...running.servers, ...running.backing]) server.kill();
});

async function waitUntilReady(server: ServerUnderTest, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void server.whenExited().then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${server.kind} exited with code ${exitCode} before it was ready`);
    try {
      const res = await server.client.get('/ready', 1000);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await server.stop();
  throw new Error(`${server.kind} at ${server.url} was not ready within ${timeoutMs} ms`);
}

function withoutGopherMqVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('GOPHERMQ_')));
}
