import type { AddressInfo, Server } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/**
 * `http://0.0.0.0:8082` for a server listening on every IPv4 address: the address as bound, not one
 * it can be reached on, so that a log line says what is exposed. https for a TLS server (node:https
 * servers are TLS servers); an IPv6 address in brackets.
 */
export function boundUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  const scheme = server instanceof TlsServer ? 'https' : 'http';
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
