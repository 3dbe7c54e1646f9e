// A synchronous verify for hot paths (the receiver answers without a turn of the event loop): a scheme that can
// verify at once (node:crypto backend, key already imported) carries one under this symbol. The promise API stays
// the public face; this is the same check without the wait.
import type { Scheme, VerifiedWebhook, VerifyInput } from './types.js';

export const VERIFY_NOW: unique symbol = Symbol('@hookline/signatures verifyNow');

/** Returns the verified webhook, or throws what `verify` rejects with; undefined when it cannot answer at once. */
export type VerifyNow = (input: VerifyInput) => VerifiedWebhook | undefined;

/**
 * Verifies without waiting when the scheme can: returns the verified webhook or throws the `SignatureError` that
 * `scheme.verify` would reject with. Returns undefined when it cannot answer at once (Web Crypto, a key not yet
 * imported, a scheme without the fast path): then await `scheme.verify(input)`, which decides.
 */
export function verifyNow(scheme: Scheme, input: VerifyInput): VerifiedWebhook | undefined {
  const now = (scheme as { [VERIFY_NOW]?: VerifyNow })[VERIFY_NOW];
  return now === undefined ? undefined : now(input);
}
