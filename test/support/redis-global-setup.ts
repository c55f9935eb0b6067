import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Node built-ins only: Jest loads globalSetup without its module mapping, so the `.js` imports of
// redis-server.ts would not resolve here.

const redisCli = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * `npm run test:redis`: one redis-server for every suite, its URL in GOPHERMQ_TEST_REDIS_URL (the Jest
 * workers inherit it), so that TestBroker and BrokerProcess start brokers on `broker.store: redis`.
 * redis-global-teardown.ts stops it (globalSetup and globalTeardown share globalThis).
 */
export default async function startRedis(): Promise<void> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gophermq-redis-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 10_000; ; ) {
    const answer = await redisCli('redis-cli', ['-p', String(port), 'PING']).catch(() => undefined);
    if (answer?.stdout.trim() === 'PONG') break;
    if (Date.now() > deadline || server.exitCode !== null) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.env.GOPHERMQ_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  (globalThis as { stopTestRedis?: () => Promise<void> }).stopTestRedis = stop;
}
