// Lists page newest first through an id cursor (Svix's `iterator`): rows inserted while a client pages neither
// repeat nor hide the rows it has not seen yet, which an offset could not promise.

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

/** Our ids: a prefix and 22 base62 digits. A malformed iterator is refused (422), never read as a position. */
export const ID_ITERATOR = { type: 'string', pattern: '^[a-z]{2,5}_[0-9A-Za-z]{22}$' } as const;

export const listQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  iterator: ID_ITERATOR,
} as const;

export const listQuerySchema = { type: 'object', properties: listQueryProperties } as const;

export function listOptions(query: { limit?: number; iterator?: string }): { limit: number; iterator: string | null } {
  return { limit: query.limit ?? DEFAULT_LIMIT, iterator: query.iterator ?? null };
}
