import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';
import { BrokerProcess } from './support/broker-process.js';
import { KeepAlivePublisher, type PublisherClient } from './support/keep-alive-publisher.js';

const CONFIG = 'deploy/haproxy/haproxy.cfg';
/** Debian's haproxy package; without it these tests are skipped (deploy.e2e-spec.ts still checks the file). */
const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].find((path) => existsSync(path));

/** A real HAProxy with deploy/haproxy/haproxy.cfg, only its port and the brokers' addresses changed, once it answers. */
async function startHaproxy(brokerPorts: number[]): Promise<{ url: string; haproxy: ChildProcess; dir: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = readFileSync(CONFIG, 'utf8')
    .replace(/^(\s*)bind :\d+$/m, `$1bind 127.0.0.1:${port}`)
    .replace(/^(\s*server broker-(\d)) broker-\d:\d+$/gm, (_line, server: string, n: string) => `${server} 127.0.0.1:${brokerPorts[Number(n) - 1]}`);
  const dir = mkdtempSync(join(tmpdir(), 'gophermq-haproxy-'));
  writeFileSync(join(dir, 'haproxy.cfg'), config);
  const haproxy = spawn(HAPROXY!, ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
  await eventually(() => fetch(`${url}/ready`).then(() => true, () => false), 10_000);
  return { url, haproxy, dir };
}

async function stopHaproxy(haproxy: ChildProcess | undefined, dir: string): Promise<void> {
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((resolve) => haproxy.once('exit', resolve));
    haproxy.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * The load balancer of the compose cluster profile: a real HAProxy with deploy/haproxy/haproxy.cfg,
 * only its port and the brokers' addresses changed, in front of two brokers on this machine.
 */
(HAPROXY ? describe : describe.skip)(`HAProxy with ${CONFIG}`, () => {
  let brokers: TestBroker[] = [];
  let haproxy: ChildProcess | undefined;
  let dir = '';
  let url = '';

  beforeEach(async () => {
    brokers = [await TestBroker.start(), await TestBroker.start()];
    ({ url, haproxy, dir } = await startHaproxy(brokers.map((broker) => Number(new URL(broker.url).port))));
  });

  afterEach(async () => {
    await stopHaproxy(haproxy, dir);
    await Promise.all(brokers.map((broker) => broker.close().catch(() => undefined)));
  });

  function post(path: string, body: unknown): Promise<Response> {
    return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function subscribers(broker: TestBroker): Promise<number> {
    return (await MetricsScrape.of(broker.get(MetricsServer).url)).value('gophermq_subscribers');
  }

  it('sends requests to the brokers in turn', async () => {
    const subject = uniqueSubject('lb');
    for (let i = 0; i < 4; i++) expect((await post('/api/subscribe', { subject })).status).toBe(200);
    expect(await Promise.all(brokers.map(subscribers))).toEqual([2, 2]);
  });

  it('sends the requests a stopped broker refuses to the other one, before and after its /ready check fails', async () => {
    await brokers[1].close();
    const subject = uniqueSubject('lb');
    // Until HAProxy has seen the check fail, it still tries the stopped broker: refused, the
    // request goes to the other one (retry-on conn-failure, option redispatch).
    const statuses: number[] = [];
    for (const until = Date.now() + 5000; Date.now() < until; ) statuses.push((await post('/api/subscribe', { subject })).status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await subscribers(brokers[0])).toBe(statuses.length);
  });

  it('answers 503 {"message":"no broker available"} when no broker is up', async () => {
    await Promise.all(brokers.map((broker) => broker.close()));
    let answer: Response | undefined;
    await eventually(async () => {
      answer = await post('/api/subscribe', { subject: uniqueSubject('lb') });
      return answer.status === 503;
    }, 15_000);
    expect(answer!.headers.get('content-type')).toBe('application/json');
    expect(await answer!.json()).toEqual({ message: 'no broker available' });
  });
});

/**
 * A rolling restart as compose runs one: broker processes with the cluster brokers' own settings
 * from docker-compose.yml (their drain delay), stopped with SIGTERM and started again on the same
 * port one after the other, while clients publish through HAProxy without pause.
 */
(HAPROXY ? describe : describe.skip)(`HAProxy with ${CONFIG}, brokers restarted one at a time`, () => {
  const clusterBroker = parse(readFileSync('docker-compose.yml', 'utf8'))['x-cluster-broker'];
  /** The compose brokers' GOPHERMQ_BROKER_ settings (drain delay and the like), without their Redis. */
  const settings = Object.fromEntries(
    Object.entries(clusterBroker.environment as Record<string, string>)
      .filter(([name]) => name.startsWith('GOPHERMQ_BROKER_') && name !== 'GOPHERMQ_BROKER_STORE')
      .map(([name, value]) => [name.slice('GOPHERMQ_'.length), String(value)]),
  );
  let haproxy: ChildProcess | undefined;
  let dir = '';

  afterEach(async () => {
    await stopHaproxy(haproxy, dir);
    BrokerProcess.killAll();
  });

  async function served(broker: BrokerProcess): Promise<number> {
    const { msg } = await broker.log('metrics on ');
    return (await MetricsScrape.of(msg.slice('metrics on '.length))).sum('gophermq_client_request_rate', { method: 'publish_async' });
  }

  it('gives the clients no error at all', async () => {
    expect(Number(settings.BROKER_DRAIN__DELAY)).toBeGreaterThan(0);
    const ports = [await freePort(), await freePort()];
    const start = (port: number) => BrokerProcess.start({ ...settings, BROKER_PORT: String(port) });
    const brokers = [await start(ports[0]), await start(ports[1])];
    let url: string;
    ({ url, haproxy, dir } = await startHaproxy(ports));
    const clients: PublisherClient[] = ['fetch', 'fetch', 'http', 'http'];
    const publishers = clients.map((client) => new KeepAlivePublisher(client, url, 'rolling.restart', { path: '/api/publish/async' }));
    try {
      for (const broker of brokers) await eventually(async () => (await served(broker)) > 0, 15_000);
      for (const [n, port] of ports.entries()) {
        brokers[n].child.kill('SIGTERM');
        expect(await brokers[n].exited).toBe(0);
        brokers[n] = await start(port);
        await eventually(async () => (await served(brokers[n])) > 0, 15_000); // HAProxy sends to it again
      }
    } finally {
      await Promise.all(publishers.map((publisher) => publisher.stop()));
    }
    for (const [n, publisher] of publishers.entries()) {
      const who = `${clients[n]} publisher ${n}`;
      expect([who, publisher.errors]).toEqual([who, []]);
      expect([who, publisher.outcomes.filter((outcome) => !('status' in outcome) || outcome.status !== 200)]).toEqual([who, []]);
      expect(publisher.answered).toBeGreaterThan(100);
    }
  }, 90_000);
});
