// A TCP proxy on loopback in front of a real server, that can turn into a black hole: from `blackhole()` on, bytes
// in either direction are swallowed and new connections are accepted but never answered, as when packets to a
// database are dropped (a network partition, a host gone) rather than refused. No root, no firewall rules.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class BlackholeProxy {
  private server: Server | null = null;
  private swallowing = false;
  private readonly sockets = new Set<Socket>();
  /** Connections clients opened to the proxy, passed on or swallowed. */
  connectionsAccepted = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  /** Starts listening on a random loopback port; resolves to that port. */
  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  /** From now on nothing passes, on open connections and new ones alike; sockets stay open. */
  blackhole(): void {
    this.swallowing = true;
  }

  /** New connections pass again (those caught in the black hole stay there, as their peers gave up on them). */
  restore(): void {
    this.swallowing = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: Socket): void {
    this.connectionsAccepted++;
    this.track(client);
    if (this.swallowing) {
      // Accepted, read and never answered.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect({ host: this.upstreamHost, port: this.upstreamPort });
    this.track(upstream);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!this.swallowing) to.write(chunk);
      });
      from.once('close', () => {
        if (!this.swallowing) to.destroy();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  }
}
