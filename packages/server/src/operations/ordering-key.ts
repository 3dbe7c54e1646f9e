// A message's ordering key (issue 14 section 1): the group its ordered endpoints send it in, in publish order. Given
// as the top-level `orderingKey` of the publish body (a Hookline extension: Svix's server ignores it), or, because
// the Svix SDKs send only the fields they know, as a tag `ordering-key:<key>`, which every Svix SDK passes through.
import { invalidField } from './errors.js';

export const ORDERING_KEY_TAG_PREFIX = 'ordering-key:';
export const MAX_ORDERING_KEY_LENGTH = 256;

/** The key a message is ordered by, from its field or its tag; null for none. Both given and different: refused. */
export function orderingKeyOf(input: { orderingKey?: string | null; tags?: string[] | null }): string | null {
  const field = input.orderingKey ?? null;
  const tagged = (input.tags ?? []).filter((tag) => tag.startsWith(ORDERING_KEY_TAG_PREFIX));
  if (tagged.length > 1) throw invalidField(['tags'], `at most one tag may start with "${ORDERING_KEY_TAG_PREFIX}"`);
  const fromTag = tagged.length === 0 ? null : (tagged[0] as string).slice(ORDERING_KEY_TAG_PREFIX.length);
  if (fromTag === '') throw invalidField(['tags'], `"${ORDERING_KEY_TAG_PREFIX}" needs a key after it`);
  if (field !== null && fromTag !== null && field !== fromTag) {
    throw invalidField(['orderingKey'], `differs from the tag "${ORDERING_KEY_TAG_PREFIX}${fromTag}"`);
  }
  return field ?? fromTag;
}
