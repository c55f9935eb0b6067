import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** Runs `gophermq broker` with `env` until its output shows `until` (or it exits); answers stdout, stderr and the exit code. */
async function runBroker(env: Record<string, string>, until?: RegExp): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'broker'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GOPHERMQ_BROKER_PORT: '0', GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_MONITORING_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (until?.test(stdout)) child.kill('SIGTERM');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { stdout, stderr, code };
}

describe('logger.format', () => {
  it('is JSON lines by default', async () => {
    const { stdout, code } = await runBroker({}, /broker listening/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((line) => JSON.parse(line).msg)).toContainEqual(expect.stringMatching(/^GopherMQ broker listening/));
  });

  it('pretty: one readable line per entry, with time, level and message, and no JSON objects', async () => {
    const { stdout, code } = await runBroker({ GOPHERMQ_LOGGER_FORMAT: 'pretty' }, /broker listening/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{4}\] INFO: GopherMQ broker listening/m);
    expect(stdout).toMatch(/INFO: NestFactory: Starting Nest application/);
    expect(stdout).not.toMatch(/^\{/m);
    // Not colored when stdout is no terminal (a file, a pipe, a log collector).
    expect(stdout).not.toContain('\u001b[');
  });

  it('refuses an unknown format at start, naming the setting', async () => {
    const { stderr, code } = await runBroker({ GOPHERMQ_LOGGER_FORMAT: 'fancy' });
    expect(code).toBe(1);
    expect(stderr).toContain('logger.format: must be one of the following values: json, pretty (got "fancy")');
  });
});
