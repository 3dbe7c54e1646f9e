// RabbitMQ: amqp(s)://user:password@host:port/vhost?exchange=NAME&routingKey=KEY. One connection and one confirm
// channel per destination; the broker's confirm (ack) is delivered, a nack, a returned (unroutable) message, a
// closed channel or no confirm within the timeout is a failed attempt. The routing key defaults to the event type.
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { checkedBrokerAddress } from './broker-address.js';
import {
  acknowledgedSend,
  type DestinationConnection,
  type DestinationKind,
  describeBrokerError,
  failedSend,
  type OpenContext,
  type OutgoingMessage,
  withoutCredentials,
} from './destination.js';

export const rabbitmq: DestinationKind = {
  name: 'rabbitmq',
  schemes: ['amqp:', 'amqps:'],
  problemWith(url) {
    // The default exchange ('') is a real choice (the routing key names a queue), so it must be said, not implied.
    if (!url.searchParams.has('exchange'))
      return 'a RabbitMQ destination needs ?exchange= (empty for the default exchange)';
    if (url.pathname.length > 1 && decodeURIComponent(url.pathname.slice(1)).includes('/')) {
      return 'the path is the virtual host: one segment (%2F for "/")';
    }
    return null;
  },
  connectionKey: (url) => url,
  open: openRabbitmq,
};

async function openRabbitmq(url: URL, context: OpenContext): Promise<DestinationConnection> {
  const amqp = await import('amqplib');
  const secure = url.protocol === 'amqps:';
  const target = await checkedBrokerAddress(url, secure ? 5671 : 5672, context);
  const model: ChannelModel = await amqp.connect(
    {
      protocol: secure ? 'amqps' : 'amqp',
      hostname: target.address,
      port: target.port,
      username: decodeURIComponent(url.username) || 'guest',
      password: decodeURIComponent(url.password) || 'guest',
      vhost: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/',
      heartbeat: 30,
    },
    {
      timeout: context.connectTimeoutMs,
      ...(target.servername === undefined ? {} : { servername: target.servername }),
    },
  );
  let open = true;
  let channel: ConfirmChannel;
  try {
    channel = await model.createConfirmChannel();
  } catch (error) {
    await model.close().catch(() => {});
    throw error;
  }
  // A closed channel (a publish to a missing exchange closes it) or connection makes the pool open a new one.
  const closed = () => {
    open = false;
  };
  // Without a listener an 'error' event would throw; the failure reaches each send through its confirm instead.
  model.on('error', closed);
  model.on('close', closed);
  channel.on('error', closed);
  channel.on('close', closed);
  const returned = new Set<string>();
  // mandatory: an exchange with no queue bound for the key hands the message back before confirming it.
  channel.on('return', (message: { properties: { messageId?: string } }) => {
    if (message.properties.messageId !== undefined) returned.add(message.properties.messageId);
  });
  const exchange = url.searchParams.get('exchange') ?? '';
  const routingKey = url.searchParams.get('routingKey');

  const send = (message: OutgoingMessage) =>
    new Promise<ReturnType<typeof acknowledgedSend>>((resolve) => {
      const started = performance.now();
      const finish = (error: string | null) => {
        clearTimeout(timer);
        returned.delete(message.messageId);
        resolve(
          error === null
            ? acknowledgedSend(`confirmed by RabbitMQ (exchange "${exchange}")`, started)
            : failedSend(withoutCredentials(error, url), started),
        );
      };
      const timer = setTimeout(
        () => finish(`TIMEOUT: no confirm from RabbitMQ within ${message.timeoutMs} ms`),
        message.timeoutMs,
      );
      if (!open) {
        finish('CHANNEL_CLOSED: the RabbitMQ channel is closed; the next attempt opens a new one');
        return;
      }
      try {
        channel.publish(
          exchange,
          routingKey ?? message.eventType,
          Buffer.from(message.body),
          {
            messageId: message.messageId,
            type: message.eventType,
            contentType: 'application/json',
            headers: message.headers,
            persistent: true,
            mandatory: true,
          },
          (error: unknown) => {
            if (error !== null && error !== undefined) finish(`NACK: ${describeBrokerError(error)}`);
            else if (returned.has(message.messageId)) {
              finish(
                `NO_ROUTE: exchange "${exchange}" has no queue bound for routing key "${routingKey ?? message.eventType}"`,
              );
            } else finish(null);
          },
        );
      } catch (error) {
        finish(describeBrokerError(error));
      }
    });

  return {
    send,
    isOpen: () => open,
    close: async () => {
      open = false;
      await model.close().catch(() => {});
    },
  };
}
