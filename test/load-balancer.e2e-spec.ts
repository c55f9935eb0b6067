import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { MetricsScrape } from './metrics-scrape.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { TestBroker, uniqueSubject } from './support/test-broker.js';

const CONFIG = 'deploy/haproxy/haproxy.cfg';
/** Debian's haproxy package; without it these tests are skipped (deploy.e2e-spec.ts still checks the file). */
const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].find((path) => existsSync(path));

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
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const ports = brokers.map((broker) => new URL(broker.url).port);
    const config = readFileSync(CONFIG, 'utf8')
      .replace(/^(\s*)bind :\d+$/m, `$1bind 127.0.0.1:${port}`)
      .replace(/^(\s*server broker-(\d)) broker-\d:\d+$/gm, (_line, server: string, n: string) => `${server} 127.0.0.1:${ports[Number(n) - 1]}`);
    dir = mkdtempSync(join(tmpdir(), 'gophermq-haproxy-'));
    writeFileSync(join(dir, 'haproxy.cfg'), config);
    haproxy = spawn(HAPROXY!, ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    await eventually(() => fetch(`${url}/ready`).then(() => true, () => false), 10_000);
  });

  afterEach(async () => {
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((resolve) => haproxy!.once('exit', resolve));
      haproxy.kill('SIGTERM');
      await exited;
    }
    await Promise.all(brokers.map((broker) => broker.close().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
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

  it('stops sending requests to a broker that stopped, once its /ready check fails', async () => {
    await brokers[1].close();
    const subject = uniqueSubject('lb');
    // Until HAProxy has seen the check fail, a request sent to the stopped broker fails.
    await eventually(async () => (await post('/api/subscribe', { subject })).status === 200 && (await post('/api/subscribe', { subject })).status === 200, 15_000);
    for (let i = 0; i < 4; i++) expect((await post('/api/subscribe', { subject })).status).toBe(200);
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
