// Ordered endpoints' held keys (issue 14 section 1): the keys whose head went dead on an endpoint that holds dead
// heads. Nothing more of such a key is sent until its head is replayed (resend, recover), which releases it.
import type { Application, Endpoint, HeldKey } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { findEndpoint } from './endpoints.js';

/** Held keys listed at once: an operator's view, not a scan of every line. */
export const MAX_HELD_KEYS = 1000;

export async function listHeldKeys(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
  limit = 100,
): Promise<{ application: Application; endpoint: Endpoint; held: HeldKey[] }> {
  const { application, endpoint } = await findEndpoint(context, appIdOrUid, endpointIdOrUid);
  const held = await context.store.listHeldKeys(
    application.id,
    endpoint.id,
    Math.max(1, Math.min(limit, MAX_HELD_KEYS)),
  );
  return { application, endpoint, held };
}
