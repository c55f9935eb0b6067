import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrokerProcess } from './support/broker-process.js';

const MiB = 1024 * 1024;
const TIMES = 20;
const TOO_LARGE = { status: 413, body: { message: 'request body too large' }, connection: 'close' };
const CURL = ['/usr/bin/curl', '/usr/local/bin/curl'].find((path) => existsSync(path));

/** A body of `bytes` bytes; its content does not matter, the broker refuses it by its size. */
const bodyOf = (bytes: number) => Buffer.alloc(bytes, 'x');

interface Outcome {
  status: number;
  body: unknown;
  connection: string | undefined;
}

/**
 * Every client, whatever its way of writing, must read the 413: the broker closing the connection
 * while the body still arrives makes the client's write fail (EPIPE, ECONNRESET) before it reads.
 * A broker process of its own: in the test's own process, client and broker share one event loop,
 * and the client's writes keep pace with the broker's reads, so the race hardly ever shows.
 */
describe('a body over broker.body-limit-bytes (1 MiB)', () => {
  let broker: BrokerProcess;
  let port: number;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    port = broker.port;
  });
  afterAll(() => BrokerProcess.killAll());

  async function withNodeFetch(body: Buffer): Promise<Outcome> {
    const response = await fetch(`${broker.url}/api/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, body: await response.json(), connection: response.headers.get('connection') ?? undefined };
  }

  /** node:http, with a content-length, or chunked when `chunked`. */
  function withNodeHttp(body: Buffer, { chunked = false } = {}): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = body.length;
      const sent = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/publish', headers, agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text), connection: response.headers.connection }));
      });
      sent.on('error', reject);
      // Chunked: several pieces, so the body arrives as a stream of chunks of 64 KiB.
      const pieceBytes = chunked ? 64 * 1024 : body.length;
      for (let at = 0; at < body.length; at += pieceBytes) sent.write(body.subarray(at, at + pieceBytes));
      sent.end();
    });
  }

  /** A raw socket that writes the body in 16 KiB pieces, each after the last was taken, then reads the answer. */
  function withRawSocket(bodyBytes: number): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const answer = Buffer.concat(received).toString();
        const headEnd = answer.indexOf('\r\n\r\n');
        resolve({
          status: Number(answer.split(' ')[1]),
          body: JSON.parse(answer.slice(headEnd + 4)),
          connection: /^connection: (.*)$/im.exec(answer.slice(0, headEnd))?.[1].trim(),
        });
      });
      socket.on('connect', async () => {
        const write = (data: string | Buffer) => new Promise<void>((done, fail) => socket.write(data, (error) => (error ? fail(error) : done())));
        try {
          await write(`POST /api/publish HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\ncontent-length: ${bodyBytes}\r\n\r\n`);
          const piece = bodyOf(16 * 1024);
          for (let sent = 0; sent < bodyBytes; sent += piece.length) await write(piece.subarray(0, Math.min(piece.length, bodyBytes - sent)));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  async function times(client: () => Promise<Outcome>): Promise<Array<Outcome | string>> {
    const outcomes: Array<Outcome | string> = [];
    for (let i = 0; i < TIMES; i++) outcomes.push(await client().catch((error: Error & { code?: string; cause?: { code?: string } }) => `${error.cause?.code ?? error.code ?? ''} ${error.message}`));
    return outcomes;
  }

  it.each([2, 8])(`answers Node's fetch of %i MiB 413 (${TIMES} times of ${TIMES})`, async (mib) => {
    const body = bodyOf(mib * MiB);
    expect(await times(() => withNodeFetch(body))).toEqual(Array(TIMES).fill(TOO_LARGE));
  });

  it.each([2, 8])(`answers node:http with a content-length of %i MiB 413 (${TIMES} times of ${TIMES})`, async (mib) => {
    const body = bodyOf(mib * MiB);
    expect(await times(() => withNodeHttp(body))).toEqual(Array(TIMES).fill(TOO_LARGE));
  });

  it(`answers a chunked body of 4 MiB 413 (${TIMES} times of ${TIMES})`, async () => {
    const body = bodyOf(4 * MiB);
    expect(await times(() => withNodeHttp(body, { chunked: true }))).toEqual(Array(TIMES).fill(TOO_LARGE));
  });

  it(`answers a socket writing 2 MiB in 16 KiB pieces 413 (${TIMES} times of ${TIMES})`, async () => {
    expect(await times(() => withRawSocket(2 * MiB))).toEqual(Array(TIMES).fill(TOO_LARGE));
  });

  (CURL ? it : it.skip)(`answers curl 413 (${TIMES} times of ${TIMES})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gophermq-body-'));
    try {
      const file = join(dir, 'body.json');
      writeFileSync(file, bodyOf(2 * MiB));
      const curl = () =>
        promisify(execFile)(CURL!, ['-sS', '-D', '-', '-H', 'content-type: application/json', '--data-binary', `@${file}`, `${broker.url}/api/publish`]).then(({ stdout }) => {
          const headEnd = stdout.lastIndexOf('\r\n\r\n');
          return {
            status: Number(/HTTP\/1.1 (\d+)(?![\s\S]*HTTP\/1.1)/.exec(stdout)![1]), // the last status line: curl may print a 100 Continue first
            body: JSON.parse(stdout.slice(headEnd + 4)),
            connection: /^connection: (.*)$/im.exec(stdout.slice(0, headEnd))?.[1].trim(),
          };
        });
      expect(await times(curl)).toEqual(Array(TIMES).fill(TOO_LARGE));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('reads what is left of it within bounds', () => {
    /** Sends `head`, then `nextPiece()` as long as the broker takes them; resolves when the broker closes the connection. */
    function sendWhileOpen(head: string, nextPiece: () => Promise<Buffer>): Promise<{ answer: string; bytesSent: number; openMs: number }> {
      return new Promise((resolve) => {
        const started = Date.now();
        const socket = connect(port, '127.0.0.1');
        const received: Buffer[] = [];
        let bytesSent = 0;
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => {}); // the write after the broker gave up on the body fails: that is the point
        socket.on('close', () => resolve({ answer: Buffer.concat(received).toString(), bytesSent, openMs: Date.now() - started }));
        socket.on('connect', async () => {
          const write = (data: string | Buffer) => new Promise<boolean>((done) => socket.write(data, (error) => done(!error)));
          if (!(await write(head))) return;
          while (!socket.destroyed) {
            const piece = await nextPiece();
            if (!(await write(piece))) return;
            bytesSent += piece.length;
          }
        });
      });
    }
    const chunkedHead = 'POST /api/publish HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n';
    const chunkOf = (bytes: number) => Buffer.concat([Buffer.from(`${bytes.toString(16)}\r\n`), bodyOf(bytes), Buffer.from('\r\n')]);

    // The client never stops writing: closed with its bytes still arriving, the connection was reset,
    // and the 413 it had received was lost about half the time. Lingering, the broker lets it read the answer.
    it(`stops reading a chunked body that never ends some 16 MiB past the limit, and the client reads the 413 (${TIMES} times of ${TIMES})`, async () => {
      const chunk = chunkOf(64 * 1024);
      for (let i = 0; i < TIMES; i++) {
        const { answer, bytesSent } = await sendWhileOpen(chunkedHead, async () => chunk);
        expect(answer).toMatch(/^HTTP\/1.1 413 /);
        // 1 MiB to the limit, 16 MiB read past it; at most 8 MiB more while lingering, and what the kernel's buffers took meanwhile.
        expect(bytesSent).toBeGreaterThan(17 * MiB);
        expect(bytesSent).toBeLessThan(17 * MiB + 8 * MiB + 16 * MiB);
      }
    });

    it('stops reading a body that trickles in 5 s after refusing it', async () => {
      let sent = 0;
      const { answer, openMs } = await sendWhileOpen(chunkedHead, async () => {
        // Past the limit at once, then 20 KiB/s.
        if (sent < 2 * MiB) {
          sent += 64 * 1024;
          return chunkOf(64 * 1024);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        return chunkOf(1024);
      });
      expect(answer).toMatch(/^HTTP\/1.1 413 /);
      expect(openMs).toBeGreaterThanOrEqual(4500);
      expect(openMs).toBeLessThan(9000);
    });

    it('answers at once, without reading it, a body declared larger than 16 MiB past the limit', async () => {
      const head = `POST /api/publish HTTP/1.1\r\nhost: gophermq\r\ncontent-type: application/json\r\ncontent-length: ${1024 * MiB}\r\n\r\n`;
      const { answer, openMs } = await sendWhileOpen(head, () => new Promise(() => {})); // sends nothing more
      expect(answer).toMatch(/^HTTP\/1.1 413 /);
      expect(openMs).toBeLessThan(2000);
    });
  });
});
