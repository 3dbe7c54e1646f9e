// HTTP endpoints: today's signed POST (sender.ts) behind the destination interface. One connection serves every
// http(s) URL, since undici already keeps a keep-alive pool per origin behind the guarded dispatcher.
import type { SendDispatcher } from '../lazy-dispatcher.js';
import { sendWebhook } from '../sender.js';
import type { DestinationConnection, DestinationKind } from './destination.js';

export function httpConnection(dispatcher: SendDispatcher): DestinationConnection {
  return {
    send: (message) =>
      sendWebhook(dispatcher, {
        url: message.url,
        headers: message.headers,
        body: message.body,
        timeoutMs: message.timeoutMs,
        ...(message.cancellation === undefined ? {} : { cancellation: message.cancellation }),
      }),
    isOpen: () => true,
    // The dispatcher belongs to whoever made it (serve, embedded mode): they close it after the engine stops.
    close: async () => {},
  };
}

export const http: DestinationKind = {
  name: 'http',
  schemes: ['http:', 'https:'],
  // The SSRF guard's checkEndpointUrl is the whole check of an HTTP URL.
  problemWith: () => null,
  connectionKey: () => 'http',
  open: async (_url, context) => httpConnection(context.dispatcher),
};
