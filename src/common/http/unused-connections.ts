import type { Server as NetServer, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/**
 * The connections that have not sent a request yet (a browser opens one ahead of need, a client
 * may connect and never begin its TLS handshake), so that shutdown can close them: Node counts
 * such a connection as busy, and neither closeIdleConnections() nor the server's close ends it.
 *
 * Over TLS a connection is first a TCP socket ('connection'), then, once its handshake is done,
 * the TLS socket over it ('secureConnection') that requests arrive on. Node gives no public link
 * between the two; the addresses and ports of both ends name the connection in both, so they are
 * the key.
 */
export class UnusedConnections {
  private readonly byPeer = new Map<string, Socket>();
  private readonly overTls: boolean;

  constructor(server: NetServer) {
    this.overTls = server instanceof TlsServer;
    server.on('connection', (socket: Socket) => this.track(socket));
    if (this.overTls) server.on('secureConnection', (socket: Socket) => this.track(socket));
  }

  /** `socket` has sent a request: it is no longer unused. Once per connection. */
  used(socket: Socket): void {
    const peer = peerOf(socket);
    if (peer !== undefined && this.byPeer.get(peer) === socket) this.byPeer.delete(peer);
  }

  /**
   * Close every connection nothing was asked on: one still in its TLS handshake, or one that has
   * read nothing. One that has sent part of a request is a stalled client and stays, for
   * broker.shutdown-timeout to judge.
   */
  closeUnused(): void {
    for (const socket of this.byPeer.values()) {
      if (socket.bytesRead === 0 || (this.overTls && !isTls(socket))) socket.destroy();
    }
  }

  private track(socket: Socket): void {
    const peer = peerOf(socket);
    if (peer === undefined) return; // already gone
    this.byPeer.set(peer, socket); // over TLS the TLS socket takes its TCP socket's place
    socket.once('close', () => {
      if (this.byPeer.get(peer) === socket) this.byPeer.delete(peer);
    });
  }
}

/** Under a TLS server, a TCP socket still in the map has not finished its handshake. */
function isTls(socket: Socket): boolean {
  return (socket as Socket & { encrypted?: boolean }).encrypted === true;
}

function peerOf(socket: Socket): string | undefined {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  return remoteAddress === undefined ? undefined : `${localAddress}|${localPort}|${remoteAddress}|${remotePort}`;
}
