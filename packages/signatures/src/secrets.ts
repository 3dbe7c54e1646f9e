import { InvalidSecretError } from './errors.js';
import type { Secret, Secrets } from './types.js';

/** More secrets than this is a mistake, not a rotation, and would multiply the work per request. */
export const MAX_SECRETS = 16;

export function secretList(secrets: Secrets): readonly Secret[] {
  const list: readonly Secret[] = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : secrets;
  if (list.length === 0) throw new InvalidSecretError('no secret given');
  if (list.length > MAX_SECRETS) throw new InvalidSecretError(`more than ${MAX_SECRETS} secrets given`);
  for (const secret of list) {
    if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
      throw new InvalidSecretError('a secret must be a string or a Uint8Array');
    }
    if (secret.length === 0) throw new InvalidSecretError('a secret is empty');
  }
  return list;
}
