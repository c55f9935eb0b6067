import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

// The built command (`npm test` builds first): the client commands of `gophermq`.
const CLI = join(process.cwd(), 'dist', 'cli.js');

interface Ran {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout: () => string;
}

function gophermq(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Ran {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout };
}

const run = (args: string[], options?: { env?: Record<string, string>; input?: string }) => gophermq(args, options).done;

describe('gophermq client commands', () => {
  let broker: TestBroker;
  let url: string[];
  beforeAll(async () => {
    broker = await TestBroker.start();
    url = ['--url', broker.url];
  });
  afterAll(() => broker.close());

  it('--version prints the version; --help lists the commands with examples', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['broker', 'health', 'pub', 'sub', 'fetch', 'unsubscribe', 'subjects']) expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    expect(help.stdout).toContain('Examples:');
    const pubHelp = await run(['pub', '--help']);
    expect(pubHelp.stdout).toContain('seq 100000 | gophermq pub jobs');
    expect(pubHelp.stdout).toMatch(/--url <url>.*\(default: "http:\/\/127\.0\.0\.1:8082", env:\s+GOPHERMQ_URL\)/s);
  });

  it('health: prints ok and exits 0 while the broker answers /ready, else the reason and 1', async () => {
    expect(await run(['health', ...url])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    const port = await freePort();
    expect(await run(['health'], { env: { GOPHERMQ_URL: `http://127.0.0.1:${port}` } })).toEqual({
      code: 1,
      stdout: '',
      stderr: `gophermq: http://127.0.0.1:${port}/ready did not answer: ECONNREFUSED\n`,
    });
  });

  it('pub: one message per DATA argument, or per line of standard input, in order; prints nothing', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    expect(await run(['pub', subject, 'one', ...url])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['pub', subject, 'two', 'three', ...url])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['pub', subject, ...url], { input: 'four\nfive\r\n\nseven\n' })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['one', 'two', 'three', 'four', 'five', '', 'seven']);
  });

  it('pub from standard input in batches: 5,000 lines arrive in order', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    const lines = Array.from({ length: 5000 }, (_, i) => String(i + 1));
    expect(await run(['pub', subject, '--batch-size', '1000', ...url], { input: `${lines.join('\n')}\n` })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual(lines);
  });

  it('pub from standard input: lines longer than a read, "\\r\\n", characters split between reads, a last line without "\\n"', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    const long = 'x'.repeat(200_000);
    const accents = 'é'.repeat(70_000); // 140,000 bytes: a two-byte character lands on every read's edge
    const lines = [long, 'crlf', accents, '', '{"orderId":42}', 'last'];
    const input = `${long}\ncrlf\r\n${accents}\n\n{"orderId":42}\nlast`;
    expect(await run(['pub', subject, ...url], { input })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual(lines);
  });

  it.each([
    ['800', 'refused with "messages: at most 800 entries"'],
    ['300', 'refused by the scan before parsing, "more than 1216 values": halved until taken'],
  ])("pub to a broker with broker.max-batch-size %s, below --batch-size (%s): every line arrives, in order", async (maxBatchSize) => {
    await TestBroker.using({ BROKER_MAX__BATCH__SIZE: maxBatchSize }, async (small) => {
      const subject = uniqueSubject();
      const id = await small.subscribe(subject);
      const lines = Array.from({ length: 2500 }, (_, i) => String(i + 1));
      expect(await run(['pub', subject, '--url', small.url], { input: `${lines.join('\n')}\n` })).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await small.fetchMessages(subject, id, { max: 10_000 })).body.data).toEqual(lines);
    });
  });

  it('pub refused: "gophermq: <status> <message>" on standard error and exit 1', async () => {
    const subject = uniqueSubject();
    expect(await run(['pub', subject, 'x', ...url])).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 404 subscriber not found\n' });
    expect(await run(['pub', subject, ...url], { input: 'a\nb\n' })).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 404 subscriber not found\n' });
    expect(await run(['pub', 'bad..subject', 'x', ...url])).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 400 invalid subject\n' });
    const port = await freePort();
    expect(await run(['pub', subject, 'x', '--url', `http://127.0.0.1:${port}`])).toEqual({ code: 1, stdout: '', stderr: `gophermq: http://127.0.0.1:${port} did not answer: ECONNREFUSED\n` });
  });

  it('sub --count: prints each message as it arrives and exits 0; --json with subject, seq and data', async () => {
    const subject = uniqueSubject();
    const sub = gophermq(['sub', subject, '--count', '2', ...url]);
    await eventually(async () => (await broker.publish(subject, 'first')).status === 200);
    await broker.publish(subject, 'second');
    await broker.publish(subject, 'third');
    const { code, stdout } = await sub.done;
    expect([code, stdout]).toEqual([0, 'first\nsecond\n']);

    const acked = gophermq(['sub', subject, '--name', 'cli', '--ack', '--ack-wait-ms', '1000', '--count', '2', '--json', ...url]);
    await eventually(async () => (await broker.publish(subject, 'a')).status === 200);
    await broker.publish(subject, 'b');
    const answer = await acked.done;
    expect(answer.code).toBe(0);
    const printed = answer.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(printed).toEqual([
      { subject, seq: expect.any(Number), data: 'a' },
      { subject, seq: expect.any(Number), data: 'b' },
    ]);
    // Acked after printing: past ackWaitMs nothing comes back to the named subscriber.
    const named = await broker.post('/api/subscribe', { subject, name: 'cli', ackWaitMs: 1000 });
    expect((await broker.fetchMessages(subject, named.body.id, { waitMs: 1500 })).body.data).toEqual([]);
  });

  it('sub stops promptly on SIGTERM during its long-poll, exits 0, and removes its anonymous subscriber', async () => {
    const subject = uniqueSubject();
    const sub = gophermq(['sub', subject, ...url]);
    await eventually(async () => (await broker.publish(subject, 'seen')).status === 200);
    await eventually(() => sub.stdout() === 'seen\n');
    await new Promise((resolve) => setTimeout(resolve, 200)); // waiting in its next poll
    const started = Date.now();
    sub.child.kill('SIGTERM');
    const { code } = await sub.done;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await broker.publish(subject, 'after')).status).toBe(404);
  });

  it('sub --deliver needs a retained subject: the broker\'s refusal, exit 1', async () => {
    expect(await run(['sub', uniqueSubject(), '--deliver', 'all', ...url])).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 400 subject does not retain messages\n' });
  });

  it('fetch --id prints what is pending; unsubscribe --id removes the subscriber', async () => {
    const subject = uniqueSubject();
    const id = await broker.subscribe(subject);
    await broker.publish(subject, 'x');
    await broker.publish(subject, 'y');
    expect(await run(['fetch', subject, '--id', id, '--max', '1', ...url])).toEqual({ code: 0, stdout: 'x\n', stderr: '' });
    expect(await run(['fetch', subject, '--id', id, '--json', '--wait-ms', '0', ...url])).toEqual({ code: 0, stdout: `${JSON.stringify({ subject, seq: null, data: 'y' })}\n`, stderr: '' });
    expect(await run(['unsubscribe', subject, '--id', id, ...url])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['fetch', subject, '--id', id, ...url])).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 404 bad id\n' });
  });

  it('subjects: a readable table of the subjects under --prefix; --limit; --json one object per line', async () => {
    const prefix = `${uniqueSubject('cli')}.`;
    const names = Array.from({ length: 3 }, (_, i) => `${prefix}s${i}`);
    for (const subject of names) await broker.subscribe(subject);
    await broker.publish(names[1], 'hello');
    const listed = await run(['subjects', '--prefix', prefix, ...url]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['SUBJECT', 'SUBSCRIBERS', 'PENDING', 'BYTES', 'IN FLIGHT', 'RETAINED']);
    expect(lines.slice(1).map((line) => line.split(/\s+/))).toEqual([
      [names[0], '1', '0', '0', '0', '0'],
      [names[1], '1', '1', expect.stringMatching(/^[1-9]\d*$/), '0', '0'],
      [names[2], '1', '0', '0', '0', '0'],
    ]);
    const json = await run(['subjects', '--prefix', prefix, '--limit', '2', '--json', ...url]);
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { subject: names[0], subscribers: 1, pending: 0, pendingBytes: 0, inFlight: 0, retained: 0 },
      { subject: names[1], subscribers: 1, pending: 1, pendingBytes: expect.any(Number), inFlight: 0, retained: 0 },
    ]);
    expect(await run(['subjects', '--prefix', 'no such prefix', ...url])).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^gophermq: 400 prefix: /) });
    const help = await run(['subjects', '--help']);
    expect(help.stdout).toContain('gophermq subjects --prefix orders. --limit 20');
  });

  it('--token (or GOPHERMQ_TOKEN) is sent as the bearer token', async () => {
    await TestBroker.using({ AUTH_ENABLE: 'true', AUTH_ADMIN__TOKEN: 'admin-secret-000001' }, async (guarded) => {
      const subject = uniqueSubject();
      expect(await run(['pub', subject, 'x', '--url', guarded.url])).toEqual({ code: 1, stdout: '', stderr: 'gophermq: 401 unauthorized\n' });
      const fetched = gophermq(['sub', subject, '--count', '1', '--url', guarded.url], { env: { GOPHERMQ_TOKEN: 'admin-secret-000001' } });
      await eventually(async () => (await run(['pub', subject, 'x', '--url', guarded.url, '--token', 'admin-secret-000001'])).code === 0, 10_000);
      expect((await fetched.done).stdout).toBe('x\n');
    });
  });
});
