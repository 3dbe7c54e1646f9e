// How much of the HTTP server one client can hold (slowloris: sockets that send their headers a byte at a time,
// or nothing, were held for 75 s and more). Node's own timeouts bound each connection; a count per address bounds
// how many one client may hold at once.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpLimits } from '../config.js';

/**
 * How often Node looks for connections past headersTimeout/requestTimeout (its default, 30 s, let a slow client
 * keep a socket up to 30 s past the bound).
 */
export const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The options of http.createServer that carry the timeouts (connectionsCheckingInterval exists only there). */
export function serverTimeoutOptions(limits: HttpLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
  };
}

const TOO_MANY_BODY = JSON.stringify({
  code: 'too_many_connections',
  detail: 'this address holds too many open connections; reuse one (keep-alive) or retry later',
});
const TOO_MANY_ANSWER = `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(TOO_MANY_BODY)}\r\n\r\n${TOO_MANY_BODY}`;

/** Refuses a connection past `maxConnectionsPerAddress` from one address with a 503, before it is read. */
export function capConnectionsPerAddress(server: Server, maxPerAddress: number): void {
  if (maxPerAddress === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerAddress) {
      // Not read: the request it may carry is never parsed, so nothing answers it but this.
      socket.pause();
      socket.end(TOO_MANY_ANSWER, () => socket.destroy());
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
