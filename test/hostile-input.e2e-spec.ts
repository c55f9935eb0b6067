import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.loader.js';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { eventually } from './support/eventually.js';
import { brokerEnv } from './support/test-store.js';

const MiB = 1024 * 1024;

describe('hostile but valid input', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  /** POSTs a body as it is and reads the answer's text, however long. */
  async function postRaw(path: string, body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(broker.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, text: await response.text() };
  }

  it('lists at most 20 errors, with their count when there were more', async () => {
    const messages = Array.from({ length: 1000 }, () => ({ subject: '', data: 1 }));
    const { status, text } = await postRaw('/api/publish/batch', JSON.stringify({ messages }));
    expect(status).toBe(400);
    expect(text.length).toBeLessThan(2048);
    const body = JSON.parse(text);
    expect(body.message).toBe('messages[0].subject: invalid subject');
    expect(body.errors).toHaveLength(20);
    expect(body.errors.slice(0, 2)).toEqual(['messages[0].subject: invalid subject', 'messages[0].data: must be a string']);
    expect(body.errorCount).toBe(2000);

    const few = await broker.post('/api/publish/batch', { messages: [{ subject: 'a..b', data: 'x' }, { subject: 'ok' }] });
    expect(few).toMatchObject({
      status: 400,
      body: { message: 'messages[0].subject: invalid subject', errors: ['messages[0].subject: invalid subject', 'messages[1].data: is required'] },
    });
    expect(few.body).not.toHaveProperty('errorCount');
  });

  it('refuses, before parsing, a body with more values than a batch of broker.max-batch-size entries needs', async () => {
    const tooMany = { message: "request's body is invalid", errors: ['body: more than 4016 values'] };
    const invalidBatch = JSON.stringify({ messages: Array.from({ length: 36_000 }, () => ({ subject: '', data: 1 })) });
    const answer = await postRaw('/api/publish/batch', invalidBatch);
    expect({ status: answer.status, body: JSON.parse(answer.text) }).toEqual({ status: 400, body: tooMany });
    const flat = `[${Array(MiB / 2 - 1).fill('0').join(',')}]`;
    expect(await broker.post('/api/publish', flat)).toMatchObject({ status: 400, body: tooMany });
    const shallowGroups = `[${Array(30_000).fill('[[[[]]]]').join(',')}]`;
    expect(await broker.post('/api/publish', shallowGroups)).toMatchObject({ status: 400, body: tooMany });
  });

  it('refuses a body nested deeper than 16 levels, counting brackets outside strings only', async () => {
    const tooDeep = { message: "request's body is invalid", errors: ['body: nested deeper than 16 levels'] };
    const arrays = '['.repeat(MiB / 2) + ']'.repeat(MiB / 2);
    expect(await broker.post('/api/publish', arrays)).toMatchObject({ status: 400, body: tooDeep });
    const objects = '{"a":'.repeat(17) + '1' + '}'.repeat(17);
    expect(await broker.post('/api/publish', objects)).toMatchObject({ status: 400, body: tooDeep });

    const subject = uniqueSubject('nesting');
    const id = await broker.subscribe(subject);
    const data = `"[{,\\"${'['.repeat(40)}${','.repeat(5000)}`;
    const deepestAllowed = `{"subject":"${subject}","data":${JSON.stringify(data)},"extra":${'['.repeat(15)}${']'.repeat(15)}}`;
    expect((await broker.post('/api/publish', deepestAllowed)).status).toBe(200);
    expect((await broker.fetchMessages(subject, id)).body.data).toEqual([data]);
  });
});

describe('a client that aborts its upload', () => {
  let app: NestFastifyApplication;
  let url: string;
  let metricsUrl: string;
  const logLines: Array<{ level: number; msg: string }> = [];
  const cwd = mkdtempSync(join(tmpdir(), 'gophermq-test-'));

  beforeAll(async () => {
    const config = loadConfig({ cwd, env: { GOPHERMQ_MONITORING_PORT: '0', ...brokerEnv({}) } });
    const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    app = await createApp(config, { logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    metricsUrl = app.get(MetricsServer).url;
  });
  afterAll(async () => {
    await app.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Sends the headers of a 100,000-byte body and half of it, then closes the connection. */
  function abortedUpload(): Promise<void> {
    const [host, port] = url.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), host, () => {
        const head = 'POST /api/publish HTTP/1.1\r\nHost: test\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n';
        socket.write(head + '{"subject":"a","data":"' + 'x'.repeat(50_000), () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
  }

  it('is counted in gophermq_requests_aborted_total and logged at debug level, without a stack', async () => {
    const counted = async () => (await MetricsScrape.of(metricsUrl)).value('gophermq_requests_aborted_total');
    const before = await counted();
    for (let i = 0; i < 5; i++) await abortedUpload();
    await eventually(async () => (await counted()) === before + 5);
    expect(logLines.filter((line) => line.level >= 40)).toEqual([]);
    expect(logLines.filter((line) => line.msg === 'client closed the connection before sending the whole body')).toHaveLength(5);
    expect(logLines.every((line) => !line.msg.includes('    at '))).toBe(true);
  });
});

describe('a client that pipelines requests and never reads the answers', () => {
  const CLI = join(process.cwd(), 'dist', 'cli.js');
  let child: ChildProcess;
  let port: number;
  const cwd = mkdtempSync(join(tmpdir(), 'gophermq-cli-'));

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'broker'], {
      cwd,
      env: { PATH: process.env.PATH, GOPHERMQ_BROKER_PORT: '0', GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_MONITORING_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line);
        if (entry.msg.startsWith('GopherMQ broker listening')) resolve(entry.port);
      });
      child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
    });
  });
  afterAll(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    rmSync(cwd, { recursive: true, force: true });
  });

  function rssBytes(): number {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1];
    return Number(kib) * 1024;
  }

  const REQUEST = 'GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: test\r\n\r\n';

  /** Writes pipelined requests as fast as the server takes them, and never reads; resolves when the server closes it. */
  function floodWithoutReading(): { socket: Socket; closed: Promise<void> } {
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    const chunk = REQUEST.repeat(1000);
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
    };
    socket.on('connect', pump).on('drain', pump).on('error', () => {});
    return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
  }

  /** Pipelines `count` requests at once and reads every answer; resolves with their statuses. */
  function politePipeline(count: number): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(REQUEST.repeat(count)));
      let received = Buffer.alloc(0);
      const statuses: number[] = [];
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        // Take every complete answer off the front: its head, then content-length bytes of body.
        for (let headEnd = received.indexOf('\r\n\r\n'); headEnd >= 0; headEnd = received.indexOf('\r\n\r\n')) {
          const head = received.subarray(0, headEnd).toString('latin1');
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (received.length < headEnd + 4 + length) break;
          statuses.push(Number(head.split(' ')[1]));
          received = received.subarray(headEnd + 4 + length);
        }
        if (statuses.length === count) {
          socket.destroy();
          resolve(statuses);
        }
      });
      socket.on('error', reject);
    });
  }

  it('has its connection closed while memory stays bounded and other clients are served', async () => {
    const rssAtStart = rssBytes();
    const floods = Array.from({ length: 4 }, floodWithoutReading);
    let grewBy = 0;
    const allClosed = Promise.all(floods.map((flood) => flood.closed));
    let closed = false;
    void allClosed.then(() => (closed = true));
    try {
      await eventually(() => {
        grewBy = rssBytes() - rssAtStart;
        return closed || grewBy > 100 * MiB;
      }, 15_000);
    } finally {
      for (const flood of floods) flood.socket.destroy();
    }
    expect(grewBy).toBeLessThan(100 * MiB);
    expect(closed).toBe(true);

    const [polite, ready] = await Promise.all([politePipeline(10), fetch(`http://127.0.0.1:${port}/ready`)]);
    expect(polite).toEqual(Array(10).fill(200));
    expect(ready.status).toBe(204);
  });
});
