// Consumers that count what reached a broker destination: every message's id (webhook-id), so a test can say
// "each of the N messages at least once" and how many copies came.
import type { Channel, ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import type { NatsConnection } from 'nats';

export class Tally {
  readonly ids = new Set<string>();
  copies = 0;
  add(id: string | undefined): void {
    if (id === undefined) return;
    this.ids.add(id);
    this.copies++;
  }
}

/**
 * A durable queue bound to a topic exchange of the vhost, consumed as messages arrive. A consumer opened again on
 * the same exchange (after its connection was closed) goes on counting into the tally it is given.
 */
export async function rabbitmqConsumer(url: string, exchange: string, tally = new Tally()) {
  const amqp = await import('amqplib');
  const model: ChannelModel = await amqp.connect(url);
  const channel: Channel = await model.createChannel();
  let closed = false;
  model.on('close', () => {
    closed = true;
  });
  await channel.assertExchange(exchange, 'topic', { durable: true, autoDelete: false });
  const { queue } = await channel.assertQueue(`${exchange}.consumer`, { durable: true });
  await channel.bindQueue(queue, exchange, '#');
  await channel.consume(queue, (message) => {
    if (message === null) return;
    tally.add(message.properties.messageId as string | undefined);
    channel.ack(message);
  });
  model.on('error', () => {});
  return {
    tally,
    isOpen: () => !closed,
    async close() {
      await channel.deleteQueue(queue).catch(() => {});
      await channel.deleteExchange(exchange).catch(() => {});
      await model.close().catch(() => {});
    },
  };
}

/** A JetStream stream on the subject, read back in full by an ordered consumer. */
export async function natsStream(servers: string, stream: string, subject: string) {
  const { connect } = await import('nats');
  const connection: NatsConnection = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const manager = await connection.jetstreamManager();
  await manager.streams.add({ name: stream, subjects: [subject] });
  return {
    connection,
    /** Every message in the stream now, by its Nats-Msg-Id. */
    async read(): Promise<Tally> {
      const tally = new Tally();
      const info = await manager.streams.info(stream);
      const consumer = await connection.jetstream().consumers.get(stream);
      let left = info.state.messages;
      while (left > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(left, 1000), expires: 5000 });
        let got = 0;
        for await (const message of batch) {
          tally.add(message.headers?.get('Nats-Msg-Id'));
          got++;
        }
        if (got === 0) break;
        left -= got;
      }
      return tally;
    },
    async close() {
      await manager.streams.delete(stream).catch(() => {});
      await connection.close();
    },
  };
}

/** The entries of a Redis stream, read back in full. */
export async function redisStream(port: number, stream: string) {
  const { Redis: RedisClient } = await import('ioredis');
  const client: Redis = new RedisClient({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: null });
  client.on('error', () => {});
  await client.connect();
  return {
    client,
    async read(): Promise<Tally> {
      const tally = new Tally();
      let from = '-';
      for (;;) {
        const entries = await client.xrange(stream, from, '+', 'COUNT', 1000);
        for (const [, fields] of entries) {
          const at = fields.indexOf('webhook-id');
          tally.add(at >= 0 ? fields[at + 1] : undefined);
        }
        if (entries.length < 1000) return tally;
        from = `(${(entries[entries.length - 1] as [string, string[]])[0]}`;
      }
    },
    async close() {
      await client.del(stream).catch(() => {});
      client.disconnect();
    },
  };
}
