import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

describe('npm run bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gophermq-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops every server it started when one cannot start, and exits 1 with its output closed', async () => {
    const build = spawnSync(process.execPath, [TSC, '-p', 'loadtest/bench/tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    // A "broker" that dies at once, while the scenario's bare-Fastify baseline starts beside it.
    const broken = join(dir, 'broken-broker.js');
    writeFileSync(broken, 'process.exit(3);\n');
    const bench = spawn(process.execPath, ['loadtest/bench/dist/bench.js', '--only=publish', `--broker=${broken}`, '--reps=1', '--duration=1'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    bench.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bench.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close' comes once every holder of the pipes has exited: the baseline too, not just the bench.
    const [code] = await new Promise<[number | null]>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the bench's output stayed open: ${output}`)), 45_000);
      bench.once('close', (exitCode) => {
        clearTimeout(timer);
        done([exitCode]);
      });
    });
    expect(code).toBe(1);
    expect(output).toContain('broker exited with code 3 before it was ready');
  }, 90_000);
});
