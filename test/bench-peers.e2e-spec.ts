import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.cwd();
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PEER_SERVERS = ['redis-server', 'nats-server'];
const installed = PEER_SERVERS.every((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0);

/** Running, or a zombie no one has reaped yet (as where the container's init does not reap): only the former counts. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync('/proc/self/stat')) {
    try {
      return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run bench -- --peers', () => {
  // Debian's redis-server and nats-server (.ci/run installs them).
  (installed ? it : it.skip)('runs every peer through both forms, prints their rows and targets, exits 0 and leaves no server running', async () => {
    const build = spawnSync(process.execPath, [TSC, '-p', 'loadtest/bench/tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    const bench = spawn(process.execPath, ['loadtest/bench/dist/bench.js', '--peers', '--messages=200', '--reps=1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    bench.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    bench.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the bench did not end: ${stderr}`)), 150_000);
      bench.once('close', (exitCode) => {
        clearTimeout(timer);
        done(exitCode);
      });
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const rows = stdout.split('\n').filter((line) => /^\| (batched|per request), /.test(line));
    const systems = ['GopherMQ, memory store', 'GopherMQ, Redis store', 'BullMQ', 'JetStream, memory store'];
    for (const form of ['batched, 200 msgs', 'per request, 20 msgs']) {
      const mine = rows.filter((line) => line.startsWith(`| ${form} `)).map((line) => line.split('|').map((cell) => cell.trim()));
      // form, system, publish msg/s, consume msg/s, msg/s, server CPU µs/msg, broker, Redis, nats-server, client CPU, errors
      expect(mine.map((cells) => cells[2])).toEqual(systems);
      for (const cells of mine) {
        expect(cells.slice(3, 7).every((cell) => /^[\d,.]+$/.test(cell))).toBe(true);
        expect(cells[11]).toBe('0');
      }
    }
    expect(stdout).toMatch(/\| batched: GopherMQ, Redis store below BullMQ in server CPU per message +\| [\d.]+ vs [\d.]+ µs\/msg/);
    expect(stdout).toMatch(/\| batched: GopherMQ, memory store below JetStream, memory store in server CPU per message +\|/);
    expect(stdout).toMatch(/\| per request: every message of every system received and acknowledged once, no errors +\| 0 +\| pass/);

    // Every server it started, named with its pid, is gone.
    const started = /servers: broker \(memory store\) pid (\d+), broker \(Redis store\) pid (\d+), redis-server pid (\d+), nats-server pid (\d+)/.exec(stderr);
    expect(started).not.toBeNull();
    const pids = started!.slice(1).map(Number);
    expect(pids.filter(alive)).toEqual([]);
  }, 180_000);
});
