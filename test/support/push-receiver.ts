import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  raw: string;
  body: { subject: string; seq: number; data: string; deliveries: number; id: string };
  atMs: number;
}

/** What the receiver answers a request: a status (and headers), or 'hang' (never answers until closed). */
export type PushReply = { status: number; headers?: Record<string, string> } | 'hang';

/** A webhook receiver on a port of its own: records every POST and answers as `reply` says (default 204). */
export class PushReceiver {
  readonly received: ReceivedPush[] = [];
  /** Requests being answered now, and the most at once. */
  active = 0;
  maxActive = 0;
  reply: (push: ReceivedPush, nth: number) => PushReply | Promise<PushReply> = () => ({ status: 204 });
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<PushReceiver> {
    const server = createServer();
    const receiver = new PushReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void receiver.answer(request.url ?? '', request.headers, Buffer.concat(chunks).toString('utf8'), response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The data of every request, in arrival order. */
  get data(): string[] {
    return this.received.map(({ body }) => body.data);
  }

  private async answer(path: string, headers: IncomingHttpHeaders, raw: string, response: ServerResponse): Promise<void> {
    let body: ReceivedPush['body'];
    try {
      body = JSON.parse(raw);
    } catch {
      body = { subject: '', seq: -1, data: raw, deliveries: -1, id: '' };
    }
    const push: ReceivedPush = { path, headers, raw, body, atMs: Date.now() };
    this.received.push(push);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    const reply = await this.reply(push, this.received.length);
    if (reply === 'hang') {
      this.hanging.add(response);
      response.on('close', () => {
        this.hanging.delete(response);
        this.active -= 1;
      });
      return;
    }
    this.active -= 1;
    response.writeHead(reply.status, reply.headers).end();
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
