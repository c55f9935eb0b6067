/** A throw-away nats-server with JetStream on (Debian's `nats-server`), for the peers bench. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { accepts, BackingProcess } from './backing-process.js';
import { freePort } from './servers.js';

export class NatsUnderTest extends BackingProcess {
  private constructor(
    readonly url: string,
    child: ChildProcess,
    dir: string,
  ) {
    super(child, dir);
  }

  /**
   * Starts `nats-server -js` on a free port, its store (`-sd`) in a temporary directory, pinned to
   * `cpus` like the other servers. Streams choose their own storage; the peers bench uses memory.
   */
  static async start(cpus?: string): Promise<NatsUnderTest> {
    const port = await freePort();
    const dir = mkdtempSync(join(os.tmpdir(), 'gophermq-bench-nats-'));
    // Its start-up banner and warnings go to a log file of its own, shown if it does not start.
    const log = join(dir, 'nats-server.log');
    const args = ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), '-l', log];
    const [command, commandArgs] = cpus ? ['taskset', ['-c', cpus, 'nats-server', ...args]] : ['nats-server', args];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'ignore'] });
    const spawnFailed = new Promise<Error>((done) => child.once('error', done));
    const nats = new NatsUnderTest(`nats://127.0.0.1:${port}`, child, dir);
    for (let attempt = 0; !(await accepts(port)); attempt++) {
      const failed = await Promise.race([spawnFailed, new Promise<undefined>((done) => setTimeout(() => done(undefined), 50))]);
      if (failed || attempt === 100 || child.exitCode !== null) {
        const said = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
        nats.kill();
        throw new Error(`nats-server did not start on port ${port}${failed ? `: ${failed.message} (Debian: apt-get install nats-server)` : ''}${said ? `\n${said}` : ''}`);
      }
    }
    return nats;
  }
}
