import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Runs the built command (`npm test` builds first), as `gophermq broker` runs in production.
const CLI = join(process.cwd(), 'dist', 'cli.js');

interface Running {
  child: ChildProcess;
  url: string;
  exit: Promise<number | null>;
  stderr: () => string;
}

function run(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'gophermq-cli-'))) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, GOPHERMQ_BROKER_PORT: '0', GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_MONITORING_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve(code);
    }),
  );
  return { child, exit, stderr: () => stderr };
}

async function startBroker(env: Record<string, string> = {}): Promise<Running> {
  const started = run(['broker'], env);
  const lines = createInterface({ input: started.child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.msg === 'GopherMQ broker listening') resolve(`http://127.0.0.1:${entry.port}`);
    });
    started.exit.then((code) => reject(new Error(`broker exited with ${code}: ${started.stderr()}`)));
  });
  return { ...started, url };
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
    const cwd = mkdtempSync(join(tmpdir(), 'gophermq-cli-'));
    writeFileSync(join(cwd, 'config.yaml'), 'broker:\n  max-pending: 0\n');
    const failed = run(['broker'], {}, cwd);
    expect(await failed.exit).toBe(1);
    expect(failed.stderr()).toContain('broker.max-pending: must not be less than 1 (got 0)');
  });

  it('lists the broker subcommand in its help', async () => {
    const help = run(['--help']);
    let out = '';
    help.child.stdout!.on('data', (chunk) => (out += chunk));
    expect(await help.exit).toBe(0);
    expect(out).toMatch(/broker \[options\]\s+start the broker/);
  });
});
