/**
 * The broker's HTTP API as the console calls it: same origin, JSON, the token (when auth is on) in
 * an Authorization header, kept in sessionStorage for the tab's life. It never goes into a URL,
 * except an event stream's, where EventSource leaves no choice.
 */
const TOKEN_KEY = 'gophermq.token';

export function savedToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string): void {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** An answer other than 2xx, with the broker's own `message`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Listeners told when the broker answers 401: the console asks for a token. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {};
  const token = savedToken();
  if (token !== '') headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'the broker cannot be reached');
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = text === '' ? undefined : JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    const message = (answer as { message?: unknown } | undefined)?.message;
    throw new ApiError(response.status, typeof message === 'string' ? message : `HTTP ${response.status}`);
  }
  return answer as T;
}

export function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

// The management API's shapes (GET /docs-json describes them).

export interface SubjectRow {
  subject: string;
  subscribers: number;
  pending: number;
  pendingBytes: number;
  inFlight: number;
  retained: number;
}

export interface SubjectPage {
  subjects: SubjectRow[];
  next: string | null;
}

export interface SubscriberRow {
  id: string;
  name?: string;
  ackWaitMs?: number;
  maxDeliveries?: number;
  deadLetterSubject?: string;
  pending: number;
  inFlight: number;
  lastActiveAt?: string;
  /** Event streams open on the instance that answered. */
  streams?: number;
}

export interface PeekedMessage {
  seq: number;
  data: string;
  time?: string;
}

export const admin = {
  subjects: (prefix: string, cursor?: string, signal?: AbortSignal) =>
    call<SubjectPage>('GET', `/api/admin/subjects${query({ prefix, cursor, limit: 100 })}`, undefined, signal),
  subject: (subject: string, signal?: AbortSignal) => call<SubjectDetail>('GET', `/api/admin/subjects/${encodeURIComponent(subject)}`, undefined, signal),
  peek: (subject: string, id?: string, max = 20) => call<{ messages: PeekedMessage[] }>('POST', '/api/admin/peek', { subject, id, max }),
  purge: (subject: string, id?: string) => call<{ purged: number }>('POST', '/api/admin/purge', { subject, id }),
  unsubscribe: (subject: string, id: string) => call<unknown>('POST', '/api/admin/unsubscribe', { subject, id }),
  stats: (signal?: AbortSignal) => call<Record<string, unknown>>('GET', '/api/admin/stats', undefined, signal),
};

export interface SubjectDetail extends Omit<SubjectRow, 'subscribers'> {
  /** Every subscriber of the subject; `subscribers` is the first page of them. */
  subscriberCount: number;
  subscribers: SubscriberRow[];
  next: string | null;
}
