// Every request the receiver does not accept is told to the `onRefused` listeners, with what an honest answer would
// have said. With `respond: { acknowledge }` the sender hears `success` whatever happened: this is where the
// forged callbacks, the throttled floods and the malformed requests are seen.
import type { ResolvedConfig } from './config.js';
import { EventRejectedError } from './errors.js';
import type { EventLog } from './event-log.js';
import { headerValue } from './headers.js';
import { describeError } from './respond.js';
import type { IncomingWebhookRequest } from './types.js';

export interface Refusal {
  /** The status an honest answer has (whatever the sender was answered). */
  status: number;
  /** The stable code (`HOOKLINE_RECEIVER_RATE_LIMITED`, `HOOKLINE_SIGNATURE_MISMATCH`, …). */
  code: string;
  detail: string;
  /** Why the check refused the event (`the fetch-back answered 404`), for `HOOKLINE_RECEIVER_EVENT_REJECTED`. */
  reason?: string;
  /** The event, once it was identified. */
  event?: { id: string | undefined; type: string };
  method: string;
  /** The client address (after `trustProxy`). */
  address: string | undefined;
  /** What was thrown. */
  error: unknown;
}

export type RefusalListener = (refusal: Refusal) => void;

export function reportRefusal(
  config: ResolvedConfig,
  listeners: readonly RefusalListener[],
  eventLog: EventLog,
  error: unknown,
  request: IncomingWebhookRequest,
): void {
  if (listeners.length === 0) return;
  const { status, code, detail } = describeError(error);
  const refusal: Refusal = {
    status,
    code,
    detail,
    method: request.method,
    address: config.clientAddress(request.remoteAddress, headerValue(request.headers, 'x-forwarded-for')),
    error,
  };
  if (error instanceof EventRejectedError) {
    refusal.reason = error.reason;
    if (error.event !== undefined) refusal.event = error.event;
  }
  for (const listener of listeners) {
    try {
      listener(refusal);
    } catch (listenerError) {
      // The request is answered whatever a listener does; its failure is kept where an operator looks.
      const now = config.now();
      eventLog.add({
        id: refusal.event?.id,
        type: refusal.event?.type ?? '(refused request)',
        status: 'failed',
        receivedAt: now,
        updatedAt: now,
        error: `onRefused listener threw: ${listenerError instanceof Error ? listenerError.message : String(listenerError)}`,
      });
    }
  }
}
