import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { BrokerProcess } from './support/broker-process.js';

// Certificates made for the test by openssl (/usr/bin/openssl; .ci/run installs it where missing).
const dir = mkdtempSync(join(tmpdir(), 'gophermq-tls-'));
const file = (name: string) => join(dir, name);

/** A self-signed certificate for localhost and 127.0.0.1, and its key, as `<name>.cert.pem` and `<name>.key.pem`. */
function selfSigned(name: string): { cert: string; key: string } {
  const [cert, key] = [file(`${name}.cert.pem`), file(`${name}.key.pem`)];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

const own = selfSigned('broker');
const other = selfSigned('other');
execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes256', '-pass', 'pass:secret', '-out', file('encrypted.key.pem')], { stdio: 'ignore' });
writeFileSync(file('not-pem.txt'), 'this is not a certificate\n');
mkdirSync(file('a-folder'));
const ca = readFileSync(own.cert);

afterAll(() => {
  BrokerProcess.killAll(); // those a failed test left running
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** A request over HTTPS that trusts the broker's certificate as its CA (Node's fetch cannot be given one). */
function https(url: string, { method = 'GET', body, headers = {} }: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const sent = request(url, { method, ca, headers: { ...headers, ...(payload && { 'content-type': 'application/json' }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const json = /json/.test(response.headers['content-type'] ?? '');
        resolve({ status: response.statusCode!, body: json && text ? JSON.parse(text) : text, headers: response.headers });
      });
    });
    sent.on('error', reject);
    sent.end(payload);
  });
}

/** The TLS settings of the API (`BROKER`) or of /metrics (`MONITORING`), as GOPHERMQ_ settings. */
function tls(section: 'BROKER' | 'MONITORING', files: { cert?: string; key?: string }): Record<string, string> {
  return {
    ...(files.cert !== undefined && { [`${section}_TLS_CERT__FILE`]: files.cert }),
    ...(files.key !== undefined && { [`${section}_TLS_KEY__FILE`]: files.key }),
  };
}

/** Runs `gophermq health` with these GOPHERMQ_ variables. */
function health(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'health'], { cwd: dir, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('broker.tls and monitoring.tls: the API and /metrics over HTTPS', () => {
  let broker: BrokerProcess;
  let api: string;
  let metrics: string;

  beforeAll(async () => {
    broker = await BrokerProcess.start({ ...tls('BROKER', own), ...tls('MONITORING', own) });
    api = `https://127.0.0.1:${broker.port}`;
    metrics = (await broker.log('metrics on ')).msg.slice('metrics on '.length);
  });
  afterAll(async () => {
    broker.child.kill('SIGTERM');
    await broker.exited;
  });

  it('logs the https addresses it listens on', async () => {
    expect((await broker.log('GopherMQ broker listening')).msg).toBe(`GopherMQ broker listening on ${api}`);
    expect(metrics).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });

  it('subscribe, publish and fetch over HTTPS, for a client trusting the certificate', async () => {
    const subject = 'tls.orders';
    const subscribed = await https(`${api}/api/subscribe`, { method: 'POST', body: { subject } });
    expect(subscribed.status).toBe(200);
    expect(await https(`${api}/api/publish`, { method: 'POST', body: { subject, data: 'over tls' } })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const fetched = await https(`${api}/api/fetch`, { method: 'POST', body: { subject, id: subscribed.body.id } });
    expect(fetched).toMatchObject({ status: 200, body: { subject, id: subscribed.body.id, data: ['over tls'], remaining: 0 } });
    expect((await https(`${api}/ready`)).status).toBe(204);
  });

  it('refuses plain HTTP on the API port, and a client that does not trust the certificate', async () => {
    await expect(fetch(`http://127.0.0.1:${broker.port}/ready`)).rejects.toThrow();
    await expect(fetch(`${api}/ready`)).rejects.toThrow(); // Node's fetch trusts only the public CAs
  });

  it('serves /metrics over HTTPS only', async () => {
    const scrape = await https(metrics);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toContain('gophermq_client_request_rate{method="subscribe",code="200"} 1');
    await expect(fetch(metrics.replace('https:', 'http:'))).rejects.toThrow();
  });

  it('`gophermq health` probes /ready over HTTPS, and says so when nothing answers', async () => {
    const env = { GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_BROKER_PORT: String(broker.port), GOPHERMQ_BROKER_TLS_CERT__FILE: own.cert, GOPHERMQ_BROKER_TLS_KEY__FILE: own.key };
    expect(await health(env)).toEqual({ code: 0, stderr: '' });
    const stopped = await BrokerProcess.start();
    const port = stopped.port;
    stopped.child.kill('SIGTERM');
    await stopped.exited;
    expect(await health({ ...env, GOPHERMQ_BROKER_PORT: String(port) })).toEqual({ code: 1, stderr: `gophermq: https://127.0.0.1:${port}/ready did not answer: ECONNREFUSED\n` });
  });

  it('`gophermq health` on a plain HTTP broker still probes over HTTP', async () => {
    const plain = await BrokerProcess.start();
    try {
      expect(await health({ GOPHERMQ_BROKER_HOST: '127.0.0.1', GOPHERMQ_BROKER_PORT: String(plain.port) })).toEqual({ code: 0, stderr: '' });
    } finally {
      plain.child.kill('SIGTERM');
    }
  });

  it('closes a connection that sends its headers too slowly after broker.request-timeout, as over HTTP', async () => {
    const strict = await BrokerProcess.start({ ...tls('BROKER', own), BROKER_REQUEST__TIMEOUT: '1' });
    try {
      const socket = connect({ port: strict.port, host: '127.0.0.1', ca, servername: 'localhost' });
      await once(socket, 'secureConnect');
      const started = Date.now();
      socket.write('POST /api/publish HTTP/1.1\r\nhost: gophermq\r\n'); // and nothing more
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', () => {});
      await once(socket, 'close');
      // One second, checked every second (Node's default check is every 30 s), and a margin for a busy machine.
      expect(Date.now() - started).toBeLessThan(5000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      strict.child.kill('SIGTERM');
    }
  });

  /** Starts a broker, opens a connection to it that asks nothing, and expects SIGTERM to end it at once, exit 0. */
  async function exitsAtOnceBeside(open: (port: number) => Promise<Socket>): Promise<void> {
    const quiet = await BrokerProcess.start({ ...tls('BROKER', own), BROKER_DRAIN__IDLE__GRACE: '0' });
    let socket: Socket | undefined;
    try {
      socket = await open(quiet.port);
      const signalled = Date.now();
      quiet.child.kill('SIGTERM');
      expect(await quiet.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(5000);
    } finally {
      socket?.destroy();
      quiet.child.kill('SIGKILL');
    }
  }

  it('exits 0 at once on SIGTERM while a client holds a TLS connection it never sent a request on', async () => {
    await exitsAtOnceBeside(async (port) => {
      const socket = connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      return socket;
    });
  });

  it('exits 0 at once on SIGTERM while a client holds a TCP connection it never began a TLS handshake on', async () => {
    // Also the race of the test above: the client's handshake can be done before the broker's is.
    await exitsAtOnceBeside(async (port) => {
      const socket = netConnect({ port, host: '127.0.0.1' });
      socket.on('error', () => {});
      await once(socket, 'connect');
      await new Promise((resolve) => setTimeout(resolve, 200)); // the broker has accepted it
      return socket;
    });
  });

  it('with monitoring.token too: 401 without the token, over HTTPS', async () => {
    const guarded = await BrokerProcess.start({ ...tls('MONITORING', own), MONITORING_TOKEN: 'scrape-0123456789abcdef' });
    try {
      const url = (await guarded.log('metrics on ')).msg.slice('metrics on '.length);
      expect((await https(url)).status).toBe(401);
      expect((await https(url, { headers: { authorization: 'Bearer scrape-0123456789abcdef' } })).status).toBe(200);
    } finally {
      guarded.child.kill('SIGTERM');
    }
  });
});

describe('a TLS setting that cannot be used stops the start with one line naming it and its file', () => {
  afterEach(() => BrokerProcess.killAll()); // a broker that started after all
  const missing = file('missing.pem');
  it.each([
    ['a certificate file that does not exist', tls('BROKER', { cert: missing, key: own.key }), `broker.tls.cert-file: cannot read ${missing}: no such file`],
    ['a key file that is a folder', tls('BROKER', { cert: own.cert, key: file('a-folder') }), `broker.tls.key-file: cannot read ${file('a-folder')}: it is a folder`],
    ['a certificate file that is not PEM', tls('BROKER', { cert: file('not-pem.txt'), key: own.key }), `broker.tls.cert-file: ${file('not-pem.txt')} holds no PEM certificate`],
    ['a key file that is not PEM', tls('BROKER', { cert: own.cert, key: file('not-pem.txt') }), `broker.tls.key-file: ${file('not-pem.txt')} holds no PEM private key`],
    ['the key given as certificate', tls('BROKER', { cert: own.key, key: own.key }), `broker.tls.cert-file: ${own.key} holds no PEM certificate`],
    ['an encrypted key', tls('BROKER', { cert: own.cert, key: file('encrypted.key.pem') }), `broker.tls.key-file: ${file('encrypted.key.pem')} is encrypted; give the key unencrypted (no passphrase can be set)`],
    ['the key of another certificate', tls('BROKER', { cert: own.cert, key: other.key }), `broker.tls.key-file: ${other.key} is not the key of the certificate in ${own.cert} (broker.tls.cert-file)`],
    ['monitoring: a certificate file that does not exist', tls('MONITORING', { cert: missing, key: own.key }), `monitoring.tls.cert-file: cannot read ${missing}: no such file`],
    ['monitoring: the key of another certificate', tls('MONITORING', { cert: own.cert, key: other.key }), `monitoring.tls.key-file: ${other.key} is not the key of the certificate in ${own.cert} (monitoring.tls.cert-file)`],
  ])('%s', async (_, settings, line) => {
    await expect(BrokerProcess.start(settings)).rejects.toThrow(new Error(`broker exited with 1: gophermq: ${line}\n`));
  });

  (process.getuid?.() === 0 ? it.skip : it)('a key file it may not read (not as root, who may read anything)', async () => {
    const locked = file('locked.key.pem');
    writeFileSync(locked, readFileSync(own.key));
    chmodSync(locked, 0o000);
    await expect(BrokerProcess.start(tls('BROKER', { cert: own.cert, key: locked }))).rejects.toThrow(
      new Error(`broker exited with 1: gophermq: broker.tls.key-file: cannot read ${locked}: permission denied\n`),
    );
  });

  it.each([
    ['BROKER', 'cert', 'key'],
    ['BROKER', 'key', 'cert'],
    ['MONITORING', 'cert', 'key'],
  ] as const)('%s: only the %s file set', async (section, given, absent) => {
    const key = section.toLowerCase();
    await expect(BrokerProcess.start(tls(section, { [given]: own[given] }))).rejects.toThrow(
      new Error(
        `broker exited with 1: invalid configuration:\n  ${key}.tls.${absent}-file: required with ${key}.tls.${given}-file (${own[given]}): set both, or neither for plain HTTP\n`,
      ),
    );
  });
});
