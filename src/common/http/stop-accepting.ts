import { Server as NetServer } from 'node:net';
import type { Server } from 'node:http';

/**
 * Stops `server` accepting connections; resolves once every connection it has is closed.
 *
 * Not `server.close()`: Node's http server closes every connection with no request in progress
 * too, at once, and that includes a keep-alive connection whose next request is already on its way
 * (sent, but not yet read): its client gets a reset instead of an answer. Four keep-alive publishers
 * got ECONNRESET at every SIGTERM that way. net.Server's close only closes the listening socket.
 */
export function stopAccepting(server: Server): Promise<void> {
  return new Promise((resolve) => NetServer.prototype.close.call(server, () => resolve()));
}
