import { createApp } from '../api/app.js';
import type { ServerConfig } from '../config.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(config: ServerConfig): Promise<RunningServer> {
  const app = await createApp({ logger: false });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
