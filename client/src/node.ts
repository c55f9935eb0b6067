/**
 * The entry Node (and Deno, Bun, which read the `node` export condition) loads: the same API, with
 * `node:http` and a keep-alive agent as the default transport.
 */
import { GopherMQ as PortableGopherMQ, type ClientOptions } from './client.js';
import { NodeHttpTransport } from './node-transport.js';

export * from './index.js';
export { NodeHttpTransport } from './node-transport.js';

export class GopherMQ extends PortableGopherMQ {
  constructor(options: ClientOptions = {}) {
    super({ ...options, transport: options.transport ?? new NodeHttpTransport(options.url ?? 'http://127.0.0.1:8082') });
  }
}
