// Development mode's built-in receiver: `POST /dev/receiver/{app}` takes a Hookline delivery and checks its
// Standard Webhooks signature the way a subscriber would, against the secrets of the endpoints the message was sent
// to. Its answer (verified, or why not) is the attempt's response body, so the dashboard shows each delivery with
// its verified signature, and one line per delivery goes to the terminal. Registered only under `serve --dev`.
import { isSignatureError, standardWebhooks } from '@hookline/signatures';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

export const TEST_RECEIVER_PATH = '/dev/receiver';

export interface TestReceiverOptions {
  store: Store;
  now(): number;
  /** Where the one line per delivery goes (the terminal). */
  print(line: string): void;
}

interface Verdict {
  status: number;
  body: Record<string, unknown>;
  line: string;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.replace('webhook-', 'svix-')];
  return Array.isArray(value) ? value[0] : value;
}

async function judge(
  options: TestReceiverOptions,
  appRef: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<Verdict> {
  const messageId = header(headers, 'webhook-id');
  if (messageId === undefined || header(headers, 'webhook-signature') === undefined) {
    return {
      status: 400,
      body: {
        code: 'signature_missing',
        detail: 'no webhook-id or webhook-signature header: this receiver takes deliveries from Hookline',
      },
      line: 'a request without Standard Webhooks headers (refused, 400)',
    };
  }
  const application = await options.store.getApplication(appRef);
  const message = application === null ? null : await options.store.getMessage(application.id, messageId);
  if (application === null || message === null) {
    return {
      status: 404,
      body: { code: 'unknown_message', detail: `no message ${messageId} in application ${appRef}` },
      line: `${messageId}: no such message in application ${appRef} (refused, 404)`,
    };
  }
  // The endpoints this message went to: whichever of their secrets signed it is the one a subscriber would hold.
  const page = await options.store.listDeliveriesForMessage(application.id, message.id, { limit: 250 });
  for (const delivery of page.data) {
    const secrets = await options.store.activeSecrets(delivery.endpointId, options.now());
    if (secrets.length === 0) continue;
    try {
      await standardWebhooks.verify({ body, headers, secret: secrets.map((secret) => secret.secret) });
    } catch (error) {
      if (isSignatureError(error) && error.code === 'HOOKLINE_SIGNATURE_MISMATCH') continue;
      const reason = isSignatureError(error) ? error.code : (error as Error).message;
      return {
        status: 401,
        body: { code: 'signature_invalid', detail: `${message.id}: ${reason}` },
        line: `${message.eventType} ${message.id}: signature NOT verified (${reason}); answered 401`,
      };
    }
    return {
      status: 200,
      body: {
        received: true,
        signature: 'verified',
        detail: `signature verified with the secret of endpoint ${delivery.endpointId}`,
        msgId: message.id,
        eventType: message.eventType,
        endpointId: delivery.endpointId,
      },
      line: `${message.eventType} ${message.id} -> ${delivery.endpointId}: signature verified`,
    };
  }
  return {
    status: 401,
    body: {
      code: 'signature_mismatch',
      detail: `${message.id}: no secret of the endpoints it was sent to matches its signature`,
    },
    line: `${message.eventType} ${message.id}: signature does NOT match (refused, 401)`,
  };
}

export function testReceiverRoutes(app: FastifyInstance, options: TestReceiverOptions): void {
  // In a scope of its own: the signature is over the raw bytes, so this route reads its body unparsed.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post<{ Params: { appId: string }; Body: Buffer | undefined }>(
      `${TEST_RECEIVER_PATH}/:appId`,
      async (request, reply) => {
        const verdict = await judge(
          options,
          request.params.appId,
          request.body ?? Buffer.alloc(0),
          request.headers as Record<string, string | string[] | undefined>,
        );
        options.print(`test receiver: ${verdict.line}`);
        return reply.code(verdict.status).send(verdict.body);
      },
    );
  });
}
