import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { TestBroker } from '../support/test-broker.js';
import { PrometheusServer, SCRAPE_JOB, type QueryResult } from './prometheus-server.js';

const TOKEN = 'scrape-0123456789abcdef';

/**
 * The README's scrape config for monitoring.tls and monitoring.token, in a real Prometheus: the
 * project's job with `scheme: https`, the certificate as `tls_config.ca_file` and the token from
 * `authorization.credentials_file`; beside it the same job without the token, which the broker refuses.
 */
describe('Prometheus scraping /metrics over HTTPS with monitoring.token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gophermq-prometheus-tls-'));
  const [cert, key, tokenFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem'), join(dir, 'token')];
  let broker: TestBroker;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
    writeFileSync(tokenFile, `${TOKEN}\n`); // Prometheus trims the file's trailing newline
    broker = await TestBroker.start({ MONITORING_TLS_CERT__FILE: cert, MONITORING_TLS_KEY__FILE: key, MONITORING_TOKEN: TOKEN });
    const target = new URL(broker.get(MetricsServer).url).host;
    const config = parse(PrometheusServer.configFor(target).config);
    const job = config.scrape_configs[0];
    Object.assign(job, { scheme: 'https', tls_config: { ca_file: cert }, authorization: { type: 'Bearer', credentials_file: tokenFile } });
    const withoutToken = { ...job, job_name: 'no-token' };
    delete withoutToken.authorization;
    config.scrape_configs.push(withoutToken);
    prometheus = await PrometheusServer.start(stringify(config));
  });
  afterAll(async () => {
    await prometheus?.stop();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function eventually(expr: string, expected: number, timeoutMs = 15_000): Promise<QueryResult[]> {
    const deadline = Date.now() + timeoutMs;
    let result: QueryResult[] = [];
    while (Date.now() < deadline) {
      result = await prometheus.query(expr);
      if (result.length === 1 && Number(result[0].value[1]) === expected) return result;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${expr}: expected ${expected}, got ${JSON.stringify(result)}`);
  }

  it('scrapes with the token, trusting the certificate; a job without the token is refused', async () => {
    await eventually(`up{job="${SCRAPE_JOB}"}`, 1);
    await eventually(`gophermq_broker_max_pending{job="${SCRAPE_JOB}"}`, 100_000);
    await eventually('up{job="no-token"}', 0);
    expect(await prometheus.query('gophermq_broker_max_pending{job="no-token"}')).toEqual([]);
  });
});
