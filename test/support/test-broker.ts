import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { brokerEnv } from './test-store.js';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** The real application on a real port, driven over HTTP. */
export class TestBroker {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    /** An empty working directory, so no config.yaml of the developer's is read. */
    private readonly cwd: string,
  ) {}

  /** Starts the app with GOPHERMQ_-style settings, e.g. { BROKER_MAX__PENDING: '5' }, on the test store, and a config.yaml if given. */
  static async start(settings: Record<string, string> = {}, configYaml?: string): Promise<TestBroker> {
    const env = brokerEnv(settings);
    const cwd = mkdtempSync(join(tmpdir(), 'gophermq-test-'));
    if (configYaml !== undefined) writeFileSync(join(cwd, 'config.yaml'), configYaml);
    const config = loadConfig({
      cwd,
      // Closing a test broker does not wait broker.drain-idle-grace for the idle connections the
      // test's own fetch keeps open; test/shutdown.e2e-spec.ts tests the grace on broker processes.
      env: { GOPHERMQ_MONITORING_PORT: '0', GOPHERMQ_BROKER_DRAIN__IDLE__GRACE: '0', ...env },
    });
    const app = await createApp(config, { logger: pino({ level: 'silent' }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    return new TestBroker(app, `http://127.0.0.1:${port}`, cwd);
  }

  /** Runs `use` against a broker of its own with these settings, and closes it afterwards. */
  static async using(settings: Record<string, string>, use: (broker: TestBroker) => Promise<void>): Promise<void> {
    const broker = await TestBroker.start(settings);
    try {
      await use(broker);
    } finally {
      await broker.close();
    }
  }

  /** POSTs `body` as JSON (a string is sent as it is). */
  async post<T = any>(path: string, body: unknown, init: RequestInit = {}): Promise<Answer<T>> {
    const response = await fetch(this.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  async subscribe(subject: string): Promise<string> {
    const { status, body } = await this.post('/api/subscribe', { subject });
    if (status !== 200) throw new Error(`subscribe ${subject}: ${status} ${JSON.stringify(body)}`);
    return body.id;
  }

  async publish(subject: string, data: string): Promise<Answer> {
    return this.post('/api/publish', { subject, data });
  }

  async fetchMessages(subject: string, id: string, extra: Record<string, unknown> = {}): Promise<Answer> {
    return this.post('/api/fetch', { subject, id, ...extra });
  }

  get<T>(token: abstract new (...args: never[]) => T): T {
    return this.app.get(token as never);
  }

  async close(): Promise<void> {
    await this.app.close();
    rmSync(this.cwd, { recursive: true, force: true });
  }
}

let counter = 0;
/** A subject no other test uses. */
export function uniqueSubject(prefix = 'test'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}.${Date.now()}`;
}
