import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Longest time a connection closed on a client still sending stays half-open, from the broker's FIN. */
export const LINGER_AT_MOST_MS = 2000;
/** Most bytes read (and dropped) while lingering; past them the broker stops reading and waits. */
export const LINGER_AT_MOST_BYTES = 8 * 1024 * 1024;

/**
 * Makes the close that follows this request's answer a lingering one: the broker sends its FIN
 * once the answer is out, reads and drops up to LINGER_AT_MOST_BYTES of what the client still
 * sends, and closes when the client closes too, or LINGER_AT_MOST_MS have passed.
 *
 * A socket closed with bytes still arriving (a body the broker stopped reading) is closed with a
 * reset, and the client's network stack throws away the answer it has received but not yet read
 * when the reset arrives: a client writing a chunked body that never ends read nothing at all, half
 * the time, instead of its 413. Half-closed, the client reads the answer and the end; once the broker
 * stops reading, a client that never looks up from its writes blocks on one, and then does.
 * (Node's http server closes the socket of a `connection: close` answer with destroySoon, which this
 * replaces for this one socket.)
 */
export function lingerOnClose(request: IncomingMessage): void {
  const socket = request.socket;
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.destroyed) return;
    const timer = setTimeout(() => this.destroy(), LINGER_AT_MOST_MS);
    this.once('close', () => clearTimeout(timer));
    // The client's own end completes the close: the http server answers it by destroying the socket.
    this.end();
    let bytes = 0;
    this.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= LINGER_AT_MOST_BYTES) return;
      this.pause();
      request.pause();
    });
    // The body's stream was paused where the broker stopped reading it: it flows again, into nothing.
    request.removeAllListeners('data').resume();
    this.resume();
  };
}
