// NATS JetStream: nats://[user:password@|token@]host:port?subject=SUBJECT[&tls=true]. One connection per destination;
// JetStream's publish ack (the message is stored in a stream) is delivered; no stream for the subject ("no
// responders"), a refusal or no ack within the timeout is a failed attempt. The message id travels as
// Nats-Msg-Id, so a redelivery within the stream's duplicate window is dropped by JetStream itself.
import type { NatsConnection } from 'nats';
import { checkedBrokerAddress } from './broker-address.js';
import {
  acknowledgedSend,
  type DestinationConnection,
  type DestinationKind,
  describeBrokerError,
  failedSend,
  type OpenContext,
  withoutCredentials,
} from './destination.js';

const SUBJECT = /^[^\s*>]+$/;

export const nats: DestinationKind = {
  name: 'nats',
  schemes: ['nats:'],
  problemWith(url) {
    const subject = url.searchParams.get('subject');
    if (subject === null || subject === '') return 'a NATS destination needs ?subject=';
    // Publishing needs a concrete subject: wildcards only make sense on the consuming side.
    if (!SUBJECT.test(subject)) return 'the subject may not hold spaces or the wildcards * and >';
    return null;
  },
  connectionKey: (url) => url,
  open: openNats,
};

async function openNats(url: URL, context: OpenContext): Promise<DestinationConnection> {
  const client = await import('nats');
  const target = await checkedBrokerAddress(url, 4222, context);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const tls = url.searchParams.get('tls') === 'true';
  // With TLS the client must dial the name, for it verifies the certificate against what it dialed (it takes no
  // servername): the name's addresses were checked just now, but a DNS answer that changes before the client's own
  // lookup is not caught as it is for the other kinds.
  const dialed = tls && target.servername !== undefined ? target.servername : target.address;
  const host = dialed.includes(':') ? `[${dialed}]` : dialed;
  const connection: NatsConnection = await client.connect({
    servers: `${host}:${target.port}`,
    timeout: context.connectTimeoutMs,
    // The pinned address is the only server: the client must not learn others from the cluster and dial them.
    ignoreClusterUpdates: true,
    reconnect: true,
    maxReconnectAttempts: -1,
    ...(user !== '' && pass !== '' ? { user, pass } : user !== '' ? { token: user } : {}),
    ...(tls ? { tls: {} } : {}),
  });
  let open = true;
  void connection.closed().then(() => {
    open = false;
  });
  const jetstream = connection.jetstream();
  const subject = url.searchParams.get('subject') as string;
  const encoder = new TextEncoder();

  return {
    async send(message) {
      const started = performance.now();
      const headers = client.headers();
      for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
      try {
        const ack = await jetstream.publish(subject, encoder.encode(message.body), {
          msgID: message.messageId,
          headers,
          timeout: message.timeoutMs,
        });
        // A duplicate is still stored once: what the id promises, so it counts as delivered.
        const detail = `stored by JetStream in ${ack.stream} at seq ${ack.seq}${ack.duplicate ? ' (duplicate of an earlier send)' : ''}`;
        return acknowledgedSend(detail, started);
      } catch (error) {
        return failedSend(withoutCredentials(describeBrokerError(error), url), started);
      }
    },
    isOpen: () => open,
    close: async () => {
      open = false;
      await connection.drain().catch(() => connection.close());
    },
  };
}
