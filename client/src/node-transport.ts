import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connectionFailure, type Transport, type TransportRequest, type TransportResponse, type TransportStream } from './transport.js';

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

  /**
   * The answer's text as it arrives. Its socket is the stream's until it ends: `close()` (or the
   * signal) destroys it, so the broker sees the client gone at once.
   */
  openStream(request: TransportRequest): Promise<TransportStream> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TransportStream>((resolve, reject) => {
      const outgoing = this.outgoing(request);
      let closedHere = false;
      const onAbort = () => outgoing.destroy(signal!.reason);
      const release = () => signal?.removeEventListener('abort', onAbort);
      const close = () => {
        closedHere = true;
        release();
        outgoing.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('error', (error) => {
        release();
        reject(connectionFailure(error, signal));
      });
      outgoing.on('response', (answer: IncomingMessage) => {
        answer.setEncoding('utf8');
        const status = answer.statusCode ?? 0;
        const retryAfter = headerOf(answer, 'retry-after');
        if (status < 200 || status >= 300) {
          let text = '';
          answer.on('data', (chunk: string) => (text += chunk));
          // A whole answer: its socket goes back to the agent for the next call.
          answer.on('end', () => {
            release();
            resolve({ status, body: text, retryAfter, close: () => {} });
          });
          answer.on('error', (error) => reject(connectionFailure(error, signal)));
          return;
        }
        async function* chunks(): AsyncGenerator<string> {
          try {
            for await (const chunk of answer) yield chunk as string;
            // Node ends the answer quietly when its socket is destroyed mid-answer.
            if (!answer.complete && !closedHere) throw signal?.aborted ? signal.reason : connectionFailure(new Error('connection closed before the stream ended'), signal);
          } catch (error) {
            if (closedHere && !signal?.aborted) return;
            throw connectionFailure(error, signal);
          } finally {
            close();
          }
        }
        resolve({ status, body: '', retryAfter, chunks: chunks(), close });
      });
      outgoing.end(request.body);
    });
  }

  private outgoing({ method, path, headers, body }: TransportRequest): ClientRequest {
    return this.send({
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port,
      path: this.url.pathname.replace(/\/$/, '') + path,
      method,
      agent: this.agent,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
  }

  private attempt(request: TransportRequest, mayRetryStaleSocket: boolean): Promise<TransportResponse> {
    const { body, signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing = this.outgoing(request);
      const onAbort = () => outgoing.destroy(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      outgoing.on('response', (answer: IncomingMessage) => {
        answer.setEncoding('utf8');
        let text = '';
        answer.on('data', (chunk: string) => (text += chunk));
        answer.on('end', () => {
          settle();
          resolve({ status: answer.statusCode ?? 0, body: text, retryAfter: headerOf(answer, 'retry-after') });
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

function headerOf(answer: IncomingMessage, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
