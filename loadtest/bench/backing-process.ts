/** What redis-server and nats-server have in common in the bench: a child process, its temporary directory, its port. */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { track, type StartedProcess } from './servers.js';

export class BackingProcess implements StartedProcess {
  protected readonly exited: Promise<unknown>;

  protected constructor(
    protected readonly child: ChildProcess,
    protected readonly dir: string,
  ) {
    // 'error' and no 'exit' when it could not be spawned at all.
    this.exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', done).once('error', done));
    // Stopped after the servers if a scenario fails before its own clean-up.
    track(this, this.exited, 'backing');
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** Whether something accepts TCP connections on the port (a server that has started). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      done(true);
      socket.end();
    });
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => socket.destroy());
  });
}
