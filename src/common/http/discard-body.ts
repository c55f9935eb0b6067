import type { IncomingMessage } from 'node:http';

/** Most bytes of a refused body read (and thrown away) past what was read when it was refused. */
export const DISCARD_AT_MOST_BYTES = 16 * 1024 * 1024;
/** Longest time spent reading the rest of a refused body, from the refusal. */
export const DISCARD_AT_MOST_MS = 5000;

/**
 * Reads the rest of a request's body and throws it away; resolves once the body has ended, or once
 * DISCARD_AT_MOST_BYTES more bytes or DISCARD_AT_MOST_MS have passed (then some of it is left unread).
 *
 * The broker answers a body it refuses before reading it whole (413) and closes the connection; a
 * socket closed with bytes still arriving is reset, and a client still writing its body fails on
 * that write (EPIPE, ECONNRESET) before it reads the answer: Node's fetch did so 15 to 18 times in 20
 * with a 2 MiB body. Answering once the body is in lets every client read it. A declared length
 * beyond the bound is not read at all, and a body that never ends is not read forever.
 */
export function discardBody(request: IncomingMessage): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  // Fastify refuses a declared length over the limit before reading any of it.
  if (Number(request.headers['content-length']) > DISCARD_AT_MOST_BYTES) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = () => {
      clearTimeout(timer);
      request.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      request.pause(); // what is left stays unread: closing the connection then resets it
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DISCARD_AT_MOST_BYTES) finish();
    };
    const timer = setTimeout(finish, DISCARD_AT_MOST_MS);
    request.on('data', onData).once('end', finish).once('error', finish).once('close', finish);
    request.resume();
  });
}

