import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.js';

export const DEPLOY_PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
export const SCRAPE_JOB = 'gophermq';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scrape_interval?: string;
  static_configs?: Array<{ targets: string[]; labels?: Record<string, string> }>;
  dns_sd_configs?: unknown[];
}

export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus (Debian's binary) on a free loopback port, scraping with the project's own config. */
export class PrometheusServer {
  private readonly log: string[] = [];

  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  /**
   * deploy/prometheus/prometheus.yml with only the broker's target and the intervals changed, so
   * that the test scrapes the way the compose stack does, every second. The brokers the compose
   * stack finds by DNS are left out: the test asks no name server. `labels` are the target's, as
   * service discovery would set them.
   */
  static configFor(target: string, interval = '1s', labels?: Record<string, string>): { config: string; job: ScrapeConfig } {
    const config = parse(readFileSync(DEPLOY_PROMETHEUS_CONFIG, 'utf8'));
    const job = (config.scrape_configs as ScrapeConfig[]).find((candidate) => candidate.job_name === SCRAPE_JOB);
    if (!job) throw new Error(`${DEPLOY_PROMETHEUS_CONFIG} has no job ${SCRAPE_JOB}`);
    config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval };
    // The alert rules, from where the deploy config has them (it names them relative to itself).
    config.rule_files = ((config.rule_files as string[] | undefined) ?? []).map((file) => resolve(dirname(DEPLOY_PROMETHEUS_CONFIG), file));
    if (job.scrape_interval) job.scrape_interval = interval;
    delete job.dns_sd_configs;
    job.static_configs = [{ targets: [target], ...(labels && { labels }) }];
    config.scrape_configs = [job];
    return { config: stringify(config), job };
  }

  static async start(config: string): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'gophermq-prometheus-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, config);
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const server = new PrometheusServer(child, dir, `http://127.0.0.1:${port}`);
    child.stderr!.on('data', (chunk: Buffer) => server.log.push(chunk.toString()));
    child.once('error', (error) => server.log.push(`${error.message} (is Debian's prometheus package installed?)`));
    await server.waitUntilReady();
    return server;
  }

  /** An instant query; throws with Prometheus's error text when the query is refused. */
  async query(expr: string): Promise<QueryResult[]> {
    const response = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    const answer = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: QueryResult[] } };
    if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error}`);
    if (answer.data!.resultType !== 'vector') throw new Error(`${expr}: a ${answer.data!.resultType}, not a vector`);
    return answer.data!.result;
  }

  /** Metric names Prometheus holds for series matching `selector`. */
  async names(selector: string): Promise<string[]> {
    const response = await fetch(`${this.url}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': selector })}`);
    return ((await response.json()) as { data: string[] }).data;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null || this.process.pid === undefined) break;
      const ready = await fetch(`${this.url}/-/ready`).then((response) => response.ok, () => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new Error(`prometheus did not become ready:\n${this.log.join('')}`);
  }
}
