import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsScrape } from './metrics-scrape.js';
import { BrokerProcess } from './support/broker-process.js';
import { eventually } from './support/eventually.js';

const SUBJECT = 'hoard';
const HOGS = 10;
/** Nine messages of 900,000 characters: an answer of about 8.1 MB, within broker.max-fetch-bytes (8 MiB). */
const MESSAGES = Array.from({ length: 9 }, (_, i) => String(i).padEnd(900_000, '.'));
const ANSWER_BYTES = MESSAGES.reduce((bytes, message) => bytes + message.length + 3, 0);

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const HOG_TOKEN = 'hog-secret-0000001';
const OTHER_TOKEN = 'other-secret-00001';

/**
 * A connection that fetches and never reads: it takes at most 1 KiB off the wire, so once the
 * kernel's buffers between the two ends are full (far less than 8 MB) the broker's writes stall.
 */
class UnreadFetch {
  readonly socket: Socket;
  private received = 0;

  constructor(port: number, id: string, token?: string) {
    this.socket = connect({ port, host: '127.0.0.1', readableHighWaterMark: 1024 } as never);
    this.socket.on('error', () => {}); // reset once the broker cuts it
    this.socket.pause();
    const body = JSON.stringify({ subject: SUBJECT, id });
    const auth = token ? `authorization: Bearer ${token}\r\n` : '';
    this.socket.write(`POST /api/fetch HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\n${auth}content-length: ${body.length}\r\n\r\n${body}`);
  }

  /** Resolves with the answer's status once the broker has begun to answer. */
  async status(): Promise<number> {
    let head: Buffer | null;
    while ((head = this.socket.read(12)) === null) await once(this.socket, 'readable');
    this.received += head.length;
    return Number(head.toString('latin1').slice(9));
  }

  /** Reads what arrives until the connection closes; resolves with how many bytes came. */
  async readToEnd(): Promise<number> {
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.length));
    this.socket.resume();
    if (!this.socket.closed) await once(this.socket, 'close');
    return this.received;
  }
}

async function startBroker(settings: Record<string, string>, cwd?: string): Promise<{ broker: BrokerProcess; metrics: () => Promise<MetricsScrape> }> {
  // Room for ten subscribers' copies of one subject's 8.1 MB (stored once).
  const broker = await BrokerProcess.start({ BROKER_MAX__PENDING__BYTES__PER__SUBJECT: String(16 * 1024 * 1024), ...settings }, cwd ? { cwd } : {});
  const { msg } = await broker.log('metrics on ');
  return { broker, metrics: () => MetricsScrape.of(msg.slice('metrics on '.length)) };
}

/** POSTs as the holder of `token` (none: no Authorization header). */
async function post(broker: BrokerProcess, path: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(broker.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/**
 * Ten subscribers of SUBJECT, each with MESSAGES pending, and a connection per subscriber that
 * fetches them and never reads; resolves once each has its answer's status.
 */
async function hoard(broker: BrokerProcess, token?: string): Promise<{ hogs: UnreadFetch[]; statuses: number[] }> {
  const ids: string[] = [];
  for (let i = 0; i < HOGS; i++) ids.push((await post(broker, '/api/subscribe', { subject: SUBJECT }, token)).body.id);
  for (const data of MESSAGES) expect((await post(broker, '/api/publish', { subject: SUBJECT, data }, token)).status).toBe(200);
  const hogs = ids.map((id) => new UnreadFetch(broker.port, id, token));
  return { hogs, statuses: await Promise.all(hogs.map((hog) => hog.status())) };
}

/** Another client's whole consumer loop, `times` over: subscribe, publish, fetch. */
async function consumeElsewhere(broker: BrokerProcess, times: number, token?: string): Promise<number[]> {
  const statuses: number[] = [];
  const subject = `${SUBJECT}.elsewhere`;
  const { body: subscription } = await post(broker, '/api/subscribe', { subject }, token);
  for (let i = 0; i < times; i++) {
    await post(broker, '/api/publish', { subject, data: `m${i}` }, token);
    const answer = await post(broker, '/api/fetch', { subject, id: subscription.id }, token);
    statuses.push(answer.status);
    if (answer.status === 200) expect(answer.body.data).toEqual([`m${i}`]);
  }
  return statuses;
}

afterEach(() => BrokerProcess.killAll());

describe('clients that fetch large answers and never read them', () => {
  it('hold no more than their share of broker.max-fetch-bytes-in-flight: other clients keep fetching', async () => {
    const { broker } = await startBroker({ BROKER_WRITE__TIMEOUT: '600' });
    const { hogs, statuses } = await hoard(broker);
    try {
      expect(statuses).toEqual(Array(HOGS).fill(200)); // each connection a client: each gets a share, the last ones small
      expect(await consumeElsewhere(broker, 5)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      for (const hog of hogs) hog.socket.destroy();
    }
  });

  it('with auth on, share per token: another token keeps fetching while the first is refused past its share', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gophermq-unread-'));
    try {
      writeFileSync(
        join(cwd, 'config.yaml'),
        ['auth:', '  enable: true', '  tokens:', ...[['hog', HOG_TOKEN], ['other', OTHER_TOKEN]].flatMap(([name, secret]) => [
          `    - name: ${name}`,
          `      sha256: ${sha256(secret)}`,
          `      publish: [">"]`,
          `      subscribe: [">"]`,
        ])].join('\n'),
      );
      const { broker } = await startBroker({ BROKER_WRITE__TIMEOUT: '600' }, cwd);
      const { hogs, statuses } = await hoard(broker, HOG_TOKEN);
      try {
        // Its ten connections are one client: alone, it may hold half the budget, about four answers.
        expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(4);
        expect(await consumeElsewhere(broker, 5, OTHER_TOKEN)).toEqual([200, 200, 200, 200, 200]);
      } finally {
        for (const hog of hogs) hog.socket.destroy();
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('are cut after broker.write-timeout without progress, counted in gophermq_answers_cut_total and logged', async () => {
    // Room for every hog's whole answer, so that each stalls (a small one would fit in the kernel's buffers).
    const { broker, metrics } = await startBroker({ BROKER_WRITE__TIMEOUT: '1', BROKER_MAX__FETCH__BYTES__IN__FLIGHT: String(256 * 1024 * 1024) });
    const { hogs } = await hoard(broker);
    const stalledAt = Date.now();
    // Checked every second: cut between 1 and 2 s after the writes stalled; a margin for a busy machine.
    await eventually(async () => (await metrics()).value('gophermq_answers_cut_total') === HOGS, 8000);
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(1000);
    const received = await Promise.all(hogs.map((hog) => hog.readToEnd()));
    for (const bytes of received) expect(bytes).toBeLessThan(ANSWER_BYTES);
    expect(await broker.log('cut ')).toMatchObject({ level: 40, answers: expect.any(Number) });
    expect(await consumeElsewhere(broker, 2)).toEqual([200, 200]);
  });

  it('a reader slower than broker.write-timeout for the whole answer is not cut while it keeps reading', async () => {
    const { broker, metrics } = await startBroker({ BROKER_WRITE__TIMEOUT: '3' });
    const [first, ...rest] = (await hoard(broker)).hogs;
    for (const hog of rest) hog.socket.destroy();
    // A read of at most 64 KiB every 50 ms: the 8.1 MB answer takes about twice the write timeout.
    // (Progress is what the kernel takes: it frees room in large steps, every MB or two here.)
    let text = '';
    first.socket.setEncoding('latin1').on('data', (chunk: string) => {
      text += chunk;
      first.socket.pause();
      setTimeout(() => first.socket.resume(), 50);
    });
    const started = Date.now();
    first.socket.resume();
    await eventually(() => text.endsWith('\r\n0\r\n\r\n'), 30_000); // the last chunk of a chunked answer
    expect(Date.now() - started).toBeGreaterThan(3000);
    expect((await metrics()).value('gophermq_answers_cut_total')).toBe(0);
    first.socket.destroy();
  });
});
