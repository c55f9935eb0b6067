import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './support/free-port.js';

// Runs the built command (`npm test` builds first), as `gophermq broker` runs in production.
const CLI = join(process.cwd(), 'dist', 'cli.js');

interface Running {
  child: ChildProcess;
  url: string;
  exit: Promise<number | null>;
  stderr: () => string;
}

/** Runs the command; a working directory of its own (removed at exit) unless one is given. */
function run(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  const ownCwd = cwd === undefined;
  const workDir = cwd ?? mkdtempSync(join(tmpdir(), 'gophermq-cli-'));
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: workDir,
    // An undefined value leaves the variable out, so config.yaml or the default applies.
    env: { PATH: process.env.PATH, GOPHERMQ_BROKER_PORT: '0', GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_MONITORING_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (ownCwd) rmSync(workDir, { recursive: true, force: true });
      resolve(code);
    }),
  );
  return { child, exit, stderr: () => stderr };
}

async function startBroker(env: Record<string, string | undefined> = {}, cwd?: string): Promise<Running> {
  const started = run(['broker'], env, cwd);
  const lines = createInterface({ input: started.child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.msg.startsWith('GopherMQ broker listening')) resolve(`http://127.0.0.1:${entry.port}`);
    });
    started.exit.then((code) => reject(new Error(`broker exited with ${code}: ${started.stderr()}`)));
  });
  return { ...started, url };
}

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A working directory shared by several commands, removed after the tests. */
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'gophermq-cli-'));
  folders.push(folder);
  return folder;
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

describe('gophermq command', () => {
  it('`gophermq broker` serves the API, writes JSON logs, and exits 0 on SIGTERM after answering a waiting fetch', async () => {
    const broker = await startBroker();
    const { body: subscription } = await post(`${broker.url}/api/subscribe`, { subject: 'cli.test' });
    expect((await fetch(`${broker.url}/ready`)).status).toBe(204);
    const waiting = post(`${broker.url}/api/fetch`, { subject: 'cli.test', id: subscription.id, waitMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    broker.child.kill('SIGTERM');
    expect(await waiting).toEqual({ status: 200, body: { subject: 'cli.test', id: subscription.id, data: [], remaining: 0 } });
    expect(await broker.exit).toBe(0);
  });

  it('refuses to start on a bad setting, naming the key', async () => {
    const failed = run(['broker'], { GOPHERMQ_BROKER_MAX__PENDING: 'lots' });
    expect(await failed.exit).toBe(1);
    expect(failed.stderr()).toContain('broker.max-pending: cannot use "lots" (from GOPHERMQ_BROKER_MAX__PENDING)');
  });

  it('reads config.yaml from the working directory', async () => {
    const cwd = temporaryFolder();
    writeFileSync(join(cwd, 'config.yaml'), 'broker:\n  max-pending: 0\n');
    const failed = run(['broker'], {}, cwd);
    expect(await failed.exit).toBe(1);
    expect(failed.stderr()).toContain('broker.max-pending: must not be less than 1 (got 0)');
  });

  it('starts beside the variables Kubernetes sets for a Service named gophermq, with one warning line naming them', async () => {
    const broker = await startBroker({
      GOPHERMQ_SERVICE_HOST: '10.96.0.12',
      GOPHERMQ_SERVICE_PORT: '8082',
      GOPHERMQ_PORT: 'tcp://10.96.0.12:8082',
      GOPHERMQ_PORT_8082_TCP: 'tcp://10.96.0.12:8082',
      GOPHERMQ_PORT_8082_TCP_PROTO: 'tcp',
      GOPHERMQ_PORT_8082_TCP_PORT: '8082',
      GOPHERMQ_PORT_8082_TCP_ADDR: '10.96.0.12',
    });
    broker.child.kill('SIGTERM');
    expect(await broker.exit).toBe(0);
    expect(broker.stderr()).toBe(
      'gophermq: ignoring environment variables that name no setting: GOPHERMQ_PORT, GOPHERMQ_PORT_8082_TCP, ' +
        'GOPHERMQ_PORT_8082_TCP_ADDR, GOPHERMQ_PORT_8082_TCP_PORT, GOPHERMQ_PORT_8082_TCP_PROTO, GOPHERMQ_SERVICE_HOST, ' +
        'GOPHERMQ_SERVICE_PORT\n',
    );
  });

  describe('a port it cannot listen on: one line naming the address, exit 1', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => taken.close(resolve)));

    it.each(['GOPHERMQ_BROKER_PORT', 'GOPHERMQ_MONITORING_PORT'])('%s taken', async (variable) => {
      const failed = run(['broker'], { [variable]: String(port) });
      expect(await failed.exit).toBe(1);
      expect(failed.stderr()).toBe(`gophermq: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    });

    it('a host name that does not resolve', async () => {
      const failed = run(['broker'], { GOPHERMQ_BROKER_HOST: 'no-such-host.invalid' });
      expect(await failed.exit).toBe(1);
      expect(failed.stderr()).toMatch(/^gophermq: cannot listen on no-such-host\.invalid: [^\n]+\n$/);
    });
  });

  describe('`gophermq health`', () => {
    it('reads the port as `broker` does (config.yaml in the working directory) and exits 0 while it answers /ready, 1 soon after it stops', async () => {
      const cwd = temporaryFolder();
      const port = await freePort();
      writeFileSync(join(cwd, 'config.yaml'), `broker:\n  port: ${port}\n`);
      // The image's case: host 0.0.0.0 (the default) and the port from the mounted file only.
      const fromFileOnly = { GOPHERMQ_BROKER_PORT: undefined, GOPHERMQ_BROKER_HOST: undefined };
      const broker = await startBroker(fromFileOnly, cwd);
      try {
        expect(broker.url).toBe(`http://127.0.0.1:${port}`);
        const healthy = run(['health'], fromFileOnly, cwd);
        expect(await healthy.exit).toBe(0);
        expect(healthy.stderr()).toBe('');
      } finally {
        broker.child.kill('SIGTERM');
      }
      expect(await broker.exit).toBe(0);
      const started = Date.now();
      const down = run(['health'], fromFileOnly, cwd);
      expect(await down.exit).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(down.stderr()).toBe(`gophermq: http://127.0.0.1:${port}/ready did not answer: ECONNREFUSED\n`);
    }, 40_000);

    it('gives up after --timeout when nothing answers', async () => {
      const silent = createHttpServer(() => {}); // accepts, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const probe = run(['health', '--timeout', '300'], { GOPHERMQ_BROKER_PORT: String(port) });
        expect(await probe.exit).toBe(1);
        expect(probe.stderr()).toBe(`gophermq: http://127.0.0.1:${port}/ready did not answer: timed out\n`);
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('exits 1 with the message of a bad setting', async () => {
      const probe = run(['health'], { GOPHERMQ_BROKER_PORT: 'eighty' });
      expect(await probe.exit).toBe(1);
      expect(probe.stderr()).toContain('broker.port: cannot use "eighty" (from GOPHERMQ_BROKER_PORT)');
    });
  });

  it('lists the broker subcommand in its help', async () => {
    const help = run(['--help']);
    let out = '';
    help.child.stdout!.on('data', (chunk) => (out += chunk));
    expect(await help.exit).toBe(0);
    expect(out).toMatch(/broker \[options\]\s+start the broker/);
    expect(out).toMatch(/health \[options\]\s+exit 0 if the broker answers GET \/ready/);
  });
});
