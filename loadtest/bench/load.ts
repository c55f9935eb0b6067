/** Runs autocannon against a server and condenses what it saw, with the server's CPU time. */
import autocannon from 'autocannon';
import { Samples } from './stats.js';
import type { ServerUnderTest } from './servers.js';

export interface LoadRun {
  /** Responses received, whatever their status. */
  requests: number;
  durationS: number;
  requestsPerS: number;
  /** Non-2xx responses plus socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Response times in ms (sub-millisecond resolution, unlike autocannon's own histogram). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU time (user + system) per response, in microseconds. */
  serverCpuUsPerRequest: number;
  /** The user-mode part of it (JavaScript, parsing); the rest is the kernel (sockets). */
  serverUserUsPerRequest: number;
}

export type LoadOptions = Omit<autocannon.Options, 'url'>;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A POST with a JSON body, as autocannon wants it. */
export function jsonPost(path: string, body: unknown, headers: Record<string, string> = {}): autocannon.Request {
  return { method: 'POST', path, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * Called before each run; what it returns is called with the run's figures after it. The Redis
 * bench uses it to read Redis's own counters around each run.
 */
export type LoadObserver = (server: ServerUnderTest, options: LoadOptions) => Promise<(run: LoadRun) => Promise<void>>;

let observer: LoadObserver | undefined;

export function observeLoad(observe: LoadObserver): void {
  observer = observe;
}

export async function runLoad(server: ServerUnderTest, options: LoadOptions): Promise<LoadRun> {
  const latencies = new Samples();
  const observed = await observer?.(server, options);
  const before = await server.stats();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // autocannon notices the end of a run on its sampling tick (1 s by default): a short tick keeps
    // runs bounded by `amount` from being rounded up to whole seconds.
    const instance = autocannon({ url: server.url, sampleInt: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.add(responseTimeMs));
  });
  const after = await server.stats();

  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  const requests = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  const cpuUs = after.cpuUserUs + after.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs;
  const run: LoadRun = {
    requests,
    durationS: result.duration,
    requestsPerS: requests / result.duration,
    errors: result.non2xx + result.errors + result.timeouts,
    statusCodes,
    p50Ms: latencies.percentile(50),
    p99Ms: latencies.percentile(99),
    maxMs: latencies.max(),
    serverCpuUsPerRequest: requests > 0 ? cpuUs / requests : NaN,
    serverUserUsPerRequest: requests > 0 ? (after.cpuUserUs - before.cpuUserUs) / requests : NaN,
  };
  await observed?.(run);
  return run;
}
