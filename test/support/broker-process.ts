import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { brokerEnv } from './test-store.js';

/** One line of the broker's JSON log. */
export type LogEntry = Record<string, any> & { level: number; msg: string };

/** The broker as an operator runs it: a process of its own, stopped with signals. */
export class BrokerProcess {
  private static readonly running = new Set<ChildProcess>();
  readonly logs: LogEntry[] = [];
  /** The exit code, or the signal that killed it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  private stderr = '';
  private readonly logWaiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return; // npm's own lines
      this.logs.push(JSON.parse(line));
      for (const wake of this.logWaiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    BrokerProcess.running.add(child);
    void this.exited.then(() => BrokerProcess.running.delete(child));
  }

  /** For afterEach: a test that failed half-way must not leave its broker running (and Jest waiting). */
  static killAll(): void {
    for (const child of BrokerProcess.running) child.kill('SIGKILL');
  }

  /**
   * Runs `command` (default: the built `gophermq broker`, as `npm test` builds it) in an empty
   * working directory unless `cwd` is given, on ports the system chooses, with these GOPHERMQ_ settings,
   * on the test store (see test-store.ts).
   */
  static async start(
    settings: Record<string, string> = {},
    { command = [process.execPath, join(process.cwd(), 'dist', 'cli.js'), 'broker'], cwd, detached = false }: { command?: string[]; cwd?: string; detached?: boolean } = {},
  ): Promise<BrokerProcess> {
    const workdir = cwd ?? mkdtempSync(join(tmpdir(), 'gophermq-process-'));
    const env = brokerEnv(settings);
    const child = spawn(command[0], command.slice(1), {
      cwd: workdir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GOPHERMQ_BROKER_PORT: '0', GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_MONITORING_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
    });
    const broker = new BrokerProcess(child);
    if (!cwd) void broker.exited.then(() => rmSync(workdir, { recursive: true, force: true }));
    await Promise.race([
      broker.log('GopherMQ broker listening'),
      broker.exited.then((code) => Promise.reject(new Error(`broker exited with ${code}: ${broker.stderr}`))),
    ]);
    return broker;
  }

  /** The broker's own process id (under `npm start` it is not the child's). */
  get pid(): number {
    return this.logs[0].pid;
  }

  get port(): number {
    return this.logs.find((entry) => entry.msg.startsWith('GopherMQ broker listening'))!.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The first log line whose message starts with `start`, once it is written. */
  async log(start: string): Promise<LogEntry> {
    for (;;) {
      const entry = this.logs.find((line) => line.msg.startsWith(start));
      if (entry) return entry;
      await new Promise<void>((resolve) => this.logWaiters.push(resolve));
    }
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(this.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }
}
