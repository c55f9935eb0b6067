import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connectionFailure, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/**
 * `node:http` with a keep-alive agent: on Node, the platform's fetch() costs several times the CPU
 * per call (its streams and WHATWG objects), and a broker client makes many small calls.
 */
export class NodeHttpTransport implements Transport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(baseUrl: string, options: { maxSockets?: number } = {}) {
    this.url = new URL(baseUrl);
    const secure = this.url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity, scheduling: 'lifo' as const };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    return this.attempt(request, true);
  }

  close(): void {
    this.agent.destroy();
  }

  private attempt(request: TransportRequest, mayRetryStaleSocket: boolean): Promise<TransportResponse> {
    const { method, path, headers, body, signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing = this.send({
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port,
        path: this.url.pathname.replace(/\/$/, '') + path,
        method,
        agent: this.agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const onAbort = () => outgoing.destroy(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      outgoing.on('response', (answer: IncomingMessage) => {
        answer.setEncoding('utf8');
        let text = '';
        answer.on('data', (chunk: string) => (text += chunk));
        answer.on('end', () => {
          settle();
          const retryAfter = answer.headers['retry-after'];
          resolve({ status: answer.statusCode ?? 0, body: text, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
        });
        answer.on('error', (error) => {
          settle();
          reject(connectionFailure(error, signal));
        });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        settle();
        // A keep-alive connection the broker closed while idle fails at once on its next request
        // (Node's agent mostly avoids this by the server's Keep-Alive hint); the request was almost
        // surely never read, but a publish is sent again only when its caller allowed repeats.
        if (mayRetryStaleSocket && request.repeatable && outgoing.reusedSocket && error.code === 'ECONNRESET' && !signal?.aborted) {
          resolve(this.attempt(request, false));
        } else {
          reject(connectionFailure(error, signal));
        }
      });
      outgoing.end(body);
    });
  }
}
