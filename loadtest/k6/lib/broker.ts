/**
 * Shared pieces of the k6 scenarios: the broker's routes, typed bodies, and thresholds.
 * Every request is tagged with `name` (the route) so thresholds and summaries split by route.
 */
import { check, fail } from 'k6';
import http from 'k6/http';
import type { Threshold } from 'k6/options';

/** Where the broker listens; `BASE_URL=http://host:8082 k6 run …`. */
export const BASE_URL = (__ENV.BASE_URL ?? 'http://127.0.0.1:8082').replace(/\/+$/, '');

/** With auth on, a token's secret: `TOKEN=… k6 run …` sends it as `Authorization: Bearer`. */
const TOKEN = __ENV.TOKEN ?? '';

const JSON_PARAMS = { headers: { 'Content-Type': 'application/json', ...(TOKEN && { Authorization: `Bearer ${TOKEN}` }) } };

export interface Subscription {
  id: string;
  subject: string;
}

export interface FetchResult {
  subject: string;
  id: string;
  data: string[];
  remaining: number;
}

/** An environment variable as a number, or the default when unset. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) fail(`${name} must be a number, got "${raw}"`);
  return value;
}

/** Fails the test at once (setup) unless the broker answers /ready. */
export function assertReady(): void {
  const res = http.get(`${BASE_URL}/ready`, { tags: { name: 'ready' } });
  if (res.status !== 204) fail(`broker at ${BASE_URL} is not ready: GET /ready answered ${res.status}`);
}

export function subscribe(subject: string): Subscription {
  const res = http.post(`${BASE_URL}/api/subscribe`, JSON.stringify({ subject }), { ...JSON_PARAMS, tags: { name: 'subscribe' } });
  if (res.status !== 200) fail(`subscribe to ${subject} answered ${res.status}: ${String(res.body)}`);
  return res.json() as unknown as Subscription;
}

/** Publishes and checks for 200; returns whether it passed. */
export function publish(subject: string, data: string): boolean {
  const res = http.post(`${BASE_URL}/api/publish`, JSON.stringify({ subject, data }), { ...JSON_PARAMS, tags: { name: 'publish' } });
  return check(res, { 'publish status is 200': (r) => r.status === 200 });
}

export function publishAsync(subject: string, data: string): boolean {
  const res = http.post(`${BASE_URL}/api/publish/async`, JSON.stringify({ subject, data }), {
    ...JSON_PARAMS,
    tags: { name: 'publish_async' },
  });
  return check(res, { 'async publish status is 200': (r) => r.status === 200 });
}

export interface FetchOptions {
  max?: number;
  waitMs?: number;
}

/** Fetches and checks for 200; returns the body, or undefined when the fetch failed. */
export function fetchPending(subject: string, id: string, options: FetchOptions = {}): FetchResult | undefined {
  const body = JSON.stringify({ subject, id, ...options });
  // A long-poll may legitimately take waitMs; give the request that much more than k6's default.
  const timeout = options.waitMs ? `${Math.ceil(options.waitMs / 1000) + 60}s` : undefined;
  const res = http.post(`${BASE_URL}/api/fetch`, body, { ...JSON_PARAMS, timeout, tags: { name: options.waitMs ? 'fetch_wait' : 'fetch' } });
  const ok = check(res, { 'fetch status is 200': (r) => r.status === 200 });
  return ok ? (res.json() as unknown as FetchResult) : undefined;
}

/**
 * Thresholds every scenario shares: almost no failed requests or checks, and a latency budget per
 * route. Budgets (ms) can be tightened or relaxed per run with P95_MS / P99_MS.
 */
export function thresholdsFor(routes: string[], p95Ms = envNumber('P95_MS', 50), p99Ms = envNumber('P99_MS', 200)): Record<string, Threshold[]> {
  const thresholds: Record<string, Threshold[]> = {
    // k6 counts 4xx/5xx (404 no subscriber, 429 overflow) and network errors as failed.
    http_req_failed: [{ threshold: `rate<${envNumber('MAX_ERROR_RATE', 0.001)}`, abortOnFail: true, delayAbortEval: '10s' }],
    checks: [`rate>${1 - envNumber('MAX_ERROR_RATE', 0.001)}`],
  };
  for (const route of routes) thresholds[`http_req_duration{name:${route}}`] = [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`];
  return thresholds;
}

/** A 16-byte payload, the size the memory targets are stated for. */
export const PAYLOAD_16B = 'gophermq-payload';
