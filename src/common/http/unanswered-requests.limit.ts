import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Most requests one connection may have waiting for their answer. HTTP/1.1 clients send the next
 * request after reading an answer, or pipeline a few; a client that pipelines past this is not
 * reading what it asked for.
 */
export const MAX_UNANSWERED_REQUESTS_PER_CONNECTION = 32;

const unanswered = Symbol('gophermq.unansweredRequests');

type CountedSocket = Socket & { [unanswered]?: number };

/**
 * Closes a connection whose client has more than MAX_UNANSWERED_REQUESTS_PER_CONNECTION requests
 * unanswered, on every route. Node's http server keeps parsing pipelined requests while their
 * answers pile up for a client that never reads them (4 such connections took RSS from 133 MiB to
 * 1 GiB in 8 s), and neither Node nor Fastify has an option that bounds it.
 */
export function limitUnansweredRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const socket: CountedSocket = request.raw.socket;
    const count = (socket[unanswered] ?? 0) + 1;
    socket[unanswered] = count;
    if (count > MAX_UNANSWERED_REQUESTS_PER_CONNECTION || socket.destroyed) {
      if (!socket.destroyed) {
        request.log.debug({ remoteAddress: socket.remoteAddress }, 'closing a connection with too many unanswered requests');
        socket.destroy();
      }
      // Nothing more is done for this request (nor for the rest of what the client sent at once).
      reply.hijack();
      return;
    }
    done();
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    (request.raw.socket as CountedSocket)[unanswered]! -= 1;
    done();
  });
}
