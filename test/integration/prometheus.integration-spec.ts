import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { TestBroker, uniqueSubject } from '../support/test-broker.js';
import { PrometheusServer, SCRAPE_JOB, type QueryResult } from './prometheus-server.js';
import { familyOf, metricNames, STORE_CALL_SERIES } from './promql-names.js';

const DASHBOARD = 'deploy/grafana/dashboards/gophermq.json';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

/**
 * The broker scraped by a real Prometheus with the project's own scrape config, and the
 * provisioned Grafana dashboard evaluated against it.
 */
describe('GopherMQ scraped by Prometheus', () => {
  let broker: TestBroker;
  let prometheus: PrometheusServer;
  let target: string;
  const subject = uniqueSubject('prometheus');

  beforeAll(async () => {
    broker = await TestBroker.start({ BROKER_HOST: '127.0.0.1', BROKER_MAX__PENDING: '500' });
    target = new URL(broker.get(MetricsServer).url).host;
    prometheus = await PrometheusServer.start(PrometheusServer.configFor(target).config);
    await driveTraffic();
  });
  afterAll(async () => {
    await prometheus?.stop();
    await broker?.close();
  });

  /** Known requests; every count below follows from them. */
  async function driveTraffic(): Promise<void> {
    const a = await broker.subscribe(subject);
    await broker.subscribe(subject);
    for (let i = 0; i < 5; i++) expect((await broker.publish(subject, `message ${i}`)).status).toBe(200); // 9 bytes each
    expect((await broker.fetchMessages(subject, a)).body.data).toHaveLength(5);
    expect((await broker.fetchMessages(subject, a, { waitMs: 10 })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await broker.publish(uniqueSubject('nobody'), 'x')).status).toBe(404);
    expect((await broker.post('/api/publish', '{"subject"')).status).toBe(400);
    expect((await broker.post('/api/publish/async', { subject, data: 'async' })).status).toBe(200);
  }

  /** Polls until Prometheus's value for `expr` is `expected` (scrapes are 1 s apart), then returns the series. */
  async function eventually(expr: string, expected: number, timeoutMs = 15_000): Promise<QueryResult[]> {
    const deadline = Date.now() + timeoutMs;
    let result: QueryResult[] = [];
    while (Date.now() < deadline) {
      result = await prometheus.query(expr);
      if (result.length === 1 && Number(result[0].value[1]) === expected) return result;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${expr}: expected ${expected}, Prometheus has ${JSON.stringify(result)}`);
  }

  it('scrapes the broker with the job of deploy/prometheus/prometheus.yml', async () => {
    const { job } = PrometheusServer.configFor(target);
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    await eventually(`up{job="${SCRAPE_JOB}"}`, 1);
  });

  it('names a broker found by DNS (the cluster profile) by its name and port, not its address', async () => {
    // What dns_sd_configs gives Prometheus for broker-1 resolving to this broker's address.
    const port = new URL(`http://${target}`).port;
    const dns = await PrometheusServer.start(PrometheusServer.configFor(target, '1s', { __meta_dns_name: 'broker-1' }).config);
    try {
      const deadline = Date.now() + 15_000;
      let up = await dns.query(`up{job="${SCRAPE_JOB}"}`);
      while (up.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        up = await dns.query(`up{job="${SCRAPE_JOB}"}`);
      }
      expect(up.map((series) => series.metric.instance)).toEqual([`broker-1:${port}`]);
    } finally {
      await dns.stop();
    }
  });

  it.each([
    ['subscribe', '200', 2],
    ['publish', '200', 5],
    ['publish', '404', 2],
    ['publish', '400', 1],
    ['fetch', '200', 1],
    ['fetch_wait', '200', 1],
    ['publish_async', '200', 1],
  ])('records %s with code %s as gophermq_client_request_rate = %d', async (method, code, count) => {
    const [series] = await eventually(`gophermq_client_request_rate{method="${method}",code="${code}"}`, count);
    expect(series.metric).toEqual({ __name__: 'gophermq_client_request_rate', job: SCRAPE_JOB, instance: target, method, code });
    await eventually(`gophermq_request_duration_seconds_count{method="${method}",code="${code}"}`, count);
    await eventually(`gophermq_request_duration_seconds_bucket{method="${method}",code="${code}",le="+Inf"}`, count);
  });

  it('answers latency percentiles from the histogram', async () => {
    await eventually('gophermq_request_duration_seconds_count{method="publish",code="200"}', 5);
    const [p99] = await prometheus.query(
      'histogram_quantile(0.99, sum by (le) (gophermq_request_duration_seconds_bucket{method="publish",code="200"}))',
    );
    expect(Number(p99.value[1])).toBeGreaterThan(0);
    expect(Number(p99.value[1])).toBeLessThan(1);
  });

  it.each([
    ['gophermq_messages_held', 6], // 5 + the async one, still held by the second subscriber
    ['gophermq_messages_held_bytes', 5 * 9 + 5],
    ['gophermq_broker_max_pending', 500],
    ['gophermq_broker_max_pending_bytes', 64 * 1024 * 1024],
    ['gophermq_subscribers', 2],
    ['gophermq_broker_max_subscribers', 100_000],
    ['gophermq_subjects', 1],
    ['gophermq_waiting_fetches', 0],
    ['gophermq_async_queue_depth', 0],
    ['gophermq_async_queue_capacity', 10_000],
    ['gophermq_messages_published_total', 6],
    ['gophermq_messages_delivered_total', 5],
    ['gophermq_messages_refused_total{reason="no_subscriber"}', 2],
    ['gophermq_messages_refused_total{reason="overflow"}', 0],
    ['gophermq_async_publish_failures_total{reason="no_subscriber"}', 0],
    ['gophermq_subscribers_expired_total', 0],
    ['gophermq_messages_in_flight', 0],
    ['gophermq_messages_redelivered_total', 0],
    ['gophermq_messages_dead_lettered_total', 0],
    ['gophermq_messages_dropped_total', 0],
  ])('has %s = %d', async (expr, value) => {
    await eventually(expr, value);
  });

  it('has the age of the oldest pending message and the Node process metrics', async () => {
    await eventually('gophermq_messages_held', 6);
    const [age] = await prometheus.query('gophermq_oldest_pending_message_age_seconds');
    expect(Number(age.value[1])).toBeGreaterThan(0);
    const names = await prometheus.names(`{job="${SCRAPE_JOB}"}`);
    expect(names).toEqual(expect.arrayContaining(['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_seconds_total']));
  });

  describe(`the Grafana dashboard (${DASHBOARD})`, () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((panel) => panel.type !== 'row');
    /** What Grafana puts in for its variables; 30 s spans many 1 s scrapes. */
    const expand = (expr: string) =>
      expr.replaceAll('$__rate_interval', '30s').replaceAll('$__interval', '1s').replaceAll('$__range', '5m').replaceAll('$job', SCRAPE_JOB).replaceAll('$instance', '.+');

    beforeAll(async () => {
      await eventually('gophermq_messages_held', 6);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // two more scrapes, so rate() has two samples of every series
    });

    it('uses the original series names', () => {
      const used = panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr)));
      expect(used).toEqual(expect.arrayContaining(['gophermq_client_request_rate', 'gophermq_request_duration_seconds_bucket']));
    });

    /** The store's call series, excused while they have no sample (the broker runs on the memory store). */
    async function storeCallSeriesExcused(): Promise<(name: string) => boolean> {
      const exported = new Set((await prometheus.names(`{job="${SCRAPE_JOB}"}`)).map(familyOf));
      // Denials too: this broker runs without auth, so nothing is denied.
      return (name) => [...STORE_CALL_SERIES, 'gophermq_requests_denied_total'].includes(familyOf(name)) && !exported.has(familyOf(name));
    }

    // Several brokers on one Redis store report the same store-wide figures: a sum() shows N times the truth.
    it('aggregates the series that are store-wide (their help says so) with max(), never sum()', async () => {
      const metrics = await (await fetch(broker.get(MetricsServer).url)).text();
      const storeWide = [...metrics.matchAll(/^# HELP (\S+) .*\bStore-wide\b/gm)].map(([, name]) => name);
      expect(storeWide).toEqual(expect.arrayContaining(['gophermq_messages_held', 'gophermq_subscribers', 'gophermq_messages_redelivered_total']));
      const queries = panels.flatMap((panel) => (panel.targets ?? []).map(({ expr }) => expr)).filter((expr) => metricNames(expr).some((name) => storeWide.includes(name)));
      expect(queries.length).toBeGreaterThan(5);
      for (const expr of queries) expect({ expr, sums: /\bsum\b/.test(expr) }).toEqual({ expr, sums: false });
    });

    it.each(panels.map((panel) => [panel.title, panel] as const))('panel "%s": queries only metrics the broker exports', async (_title, panel) => {
      const exported = new Set(await prometheus.names(`{job="${SCRAPE_JOB}"}`));
      const excused = await storeCallSeriesExcused();
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        for (const name of metricNames(expr)) {
          expect({ expr, name, exported: exported.has(name) || excused(name) }).toEqual({ expr, name, exported: true });
        }
      }
    });

    it.each(panels.map((panel) => [panel.title, panel] as const))('panel "%s": every query runs and the panel shows data', async (_title, panel) => {
      const results = await Promise.all(panel.targets!.map(({ expr }) => prometheus.query(expand(expr))));
      const excused = await storeCallSeriesExcused();
      const waitsForStore = panel.targets!.every(({ expr }) => metricNames(expr).some(excused));
      expect(waitsForStore || results.some((result) => result.length > 0)).toBe(true);
    });
  });

  describe('promtool', () => {
    it('accepts deploy/prometheus/prometheus.yml and the config generated from it for this test', () => {
      const dir = mkdtempSync(join(tmpdir(), 'gophermq-promtool-'));
      writeFileSync(join(dir, 'prometheus.yml'), PrometheusServer.configFor(target).config);
      for (const file of ['deploy/prometheus/prometheus.yml', join(dir, 'prometheus.yml')]) {
        expect(() => execFileSync('promtool', ['check', 'config', file], { stdio: 'pipe' })).not.toThrow();
      }
      rmSync(dir, { recursive: true });
    });

    it('accepts the alert rules (deploy/prometheus/alerts.yml), which the compose Prometheus loads, and their series exist', async () => {
      expect(() => execFileSync('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml'], { stdio: 'pipe' })).not.toThrow();
      expect(parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).rule_files).toEqual(['alerts.yml']);
      const rules = (parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((group) => group.rules);
      expect(rules.map(({ alert }) => alert)).toEqual(
        expect.arrayContaining(['GopherMQBrokerDown', 'GopherMQStoreDown', 'GopherMQPublishesRefusedForOverflow', 'GopherMQDeadLettersGrowing', 'GopherMQRedeliveriesGrowing', 'GopherMQEventLoopLag']),
      );
      const exported = new Set(await prometheus.names(`{job="${SCRAPE_JOB}"}`));
      // The memory store's broker has no gophermq_store_up; the rest must be there, and every rule must run.
      for (const { expr } of rules) {
        for (const name of metricNames(expr)) if (name !== 'gophermq_store_up') expect({ expr, name, exported: exported.has(name) }).toEqual({ expr, name, exported: true });
        await prometheus.query(expr);
      }
    });

    it('fires each alert on the series of its unit tests (deploy/prometheus/alerts.test.yml), after its `for`, and not on harmless ones', () => {
      const run = spawnSync('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml'], { encoding: 'utf8' });
      expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
      // Every alert has a test that expects it to fire.
      const alerts = (parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups.flatMap((group) => group.rules.map((rule) => rule.alert));
      const tests = (parse(readFileSync('deploy/prometheus/alerts.test.yml', 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests;
      const fired = new Set(tests.flatMap((test) => test.alert_rule_test.filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)));
      expect(alerts.filter((alert) => !fired.has(alert))).toEqual([]);
    });

    it('finds no naming problem in /metrics but the two it cannot be spared', async () => {
      const text = await (await fetch(broker.get(MetricsServer).url)).text();
      let problems = '';
      try {
        execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: 'pipe' });
      } catch (error) {
        problems = String((error as { stderr: Buffer }).stderr) + String((error as { stdout: Buffer }).stdout);
      }
      const unexpected = problems
        .split('\n')
        .filter((line) => line.trim() !== '')
        // The original's name, kept so existing dashboards work.
        .filter((line) => !line.startsWith('gophermq_client_request_rate counter metrics should have "_total" suffix'))
        // prom-client's own default metrics, not ours to rename.
        .filter((line) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix/.test(line));
      expect(unexpected).toEqual([]);
    });
  });
});
