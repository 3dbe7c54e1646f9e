// Redis Streams: redis(s)://[user:password@]host:port[/db]?stream=NAME[&maxLen=N]. One client per destination;
// XADD's entry id is delivered; an error reply (a key of another type, out of memory, no permission), a lost
// connection or no reply within the timeout is a failed attempt. Each entry holds the delivery's headers as fields
// and the payload in `body`; the stream is trimmed to about maxLen entries (MAXLEN ~, so Redis trims whole nodes).
import type { Redis } from 'ioredis';
import { checkedBrokerAddress, integerParameter } from './broker-address.js';
import {
  acknowledgedSend,
  type DestinationConnection,
  type DestinationKind,
  describeBrokerError,
  failedSend,
  type OpenContext,
  withoutCredentials,
} from './destination.js';

export const DEFAULT_STREAM_MAX_LENGTH = 100_000;
const MAX_STREAM_MAX_LENGTH = 1_000_000_000;

export const redisStreams: DestinationKind = {
  name: 'redis-streams',
  schemes: ['redis:', 'rediss:'],
  problemWith(url) {
    const stream = url.searchParams.get('stream');
    if (stream === null || stream === '') return 'a Redis Streams destination needs ?stream=';
    const maxLen = integerParameter(url, 'maxLen', DEFAULT_STREAM_MAX_LENGTH, MAX_STREAM_MAX_LENGTH);
    if (typeof maxLen === 'string') return maxLen;
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0 || db > 15) return 'the path is the database number, 0 to 15';
    return null;
  },
  connectionKey: (url) => url,
  open: openRedisStream,
};

async function openRedisStream(url: URL, context: OpenContext): Promise<DestinationConnection> {
  const { Redis: RedisClient } = await import('ioredis');
  const target = await checkedBrokerAddress(url, 6379, context);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const client: Redis = new RedisClient({
    host: target.address,
    port: target.port,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    ...(url.protocol === 'rediss:'
      ? { tls: target.servername === undefined ? {} : { servername: target.servername } }
      : {}),
    connectTimeout: context.connectTimeoutMs,
    lazyConnect: true,
    // While disconnected, a send fails at once and is retried on the delivery's schedule: queueing it inside the
    // client would hold it past the timeout the engine's lease is built on.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  // Without a listener an error event would be printed by ioredis (it may carry the address); sends report it.
  client.on('error', () => {});
  await client.connect();
  let open = true;
  client.on('end', () => {
    open = false;
  });
  const stream = url.searchParams.get('stream') as string;
  const maxLen = integerParameter(url, 'maxLen', DEFAULT_STREAM_MAX_LENGTH, MAX_STREAM_MAX_LENGTH) as number;

  return {
    async send(message) {
      const started = performance.now();
      const fields: string[] = [];
      for (const [name, value] of Object.entries(message.headers)) fields.push(name, value);
      fields.push('body', message.body);
      let timer: NodeJS.Timeout | undefined;
      try {
        const id = await Promise.race([
          client.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`TIMEOUT: no reply from Redis within ${message.timeoutMs} ms`)),
              message.timeoutMs,
            );
          }),
        ]);
        return acknowledgedSend(`added to stream ${stream} as ${String(id)}`, started);
      } catch (error) {
        const text =
          error instanceof Error && error.message.startsWith('TIMEOUT:') ? error.message : describeBrokerError(error);
        return failedSend(withoutCredentials(text, url), started);
      } finally {
        clearTimeout(timer);
      }
    },
    isOpen: () => open,
    close: async () => {
      open = false;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
