/** A small keep-alive JSON client for the benchmark's own requests (setup, drains, long-poll, timing). */
import http from 'node:http';

export interface JsonResponse<T = unknown> {
  status: number;
  /** Raw body; `json()` parses it. */
  text: string;
  json(): T;
  /** Milliseconds from sending the request to the last byte of the answer. */
  elapsedMs: number;
}

export class JsonClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    /** Concurrent connections at most; further requests queue in the agent. */
    maxSockets = 64,
    /** Sent with every request, e.g. an Authorization header. */
    private readonly extraHeaders: http.OutgoingHttpHeaders = {},
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  get baseUrl(): string {
    return this.url.origin;
  }

  post<T = unknown>(path: string, body: unknown, timeoutMs = 60_000): Promise<JsonResponse<T>> {
    return this.request<T>('POST', path, JSON.stringify(body), timeoutMs);
  }

  get<T = unknown>(path: string, timeoutMs = 10_000): Promise<JsonResponse<T>> {
    return this.request<T>('GET', path, undefined, timeoutMs);
  }

  close(): void {
    this.agent.destroy();
  }

  private request<T>(method: string, path: string, payload: string | undefined, timeoutMs: number): Promise<JsonResponse<T>> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const headers: http.OutgoingHttpHeaders = { ...this.extraHeaders, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) };
      const req = http.request(
        { agent: this.agent, host: this.url.hostname, port: this.url.port, method, path, headers, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const elapsedMs = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, text, elapsedMs, json: () => JSON.parse(text) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Runs `task` for every item with at most `concurrency` in flight. */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
