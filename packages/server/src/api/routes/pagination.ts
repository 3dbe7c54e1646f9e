// Lists page newest first through an id cursor (Svix's `iterator`): rows inserted while a client pages neither
// repeat nor hide the rows it has not seen yet, which an offset could not promise.

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

/**
 * Our ids: a prefix and 22 base62 digits; `-` in front (a `prevIterator`, as Svix writes them) asks for the page
 * before that id. A malformed iterator is refused (422), never read as a position.
 */
export const ID_ITERATOR = { type: 'string', pattern: '^-?[a-z]{2,5}_[0-9A-Za-z]{22}$' } as const;

export const listQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  iterator: ID_ITERATOR,
} as const;

export const listQuerySchema = { type: 'object', properties: listQueryProperties } as const;

export interface ListRequest {
  limit: number;
  iterator: string | null;
  /** The iterator came as a prevIterator (`-` in front): the page before it. */
  backward: boolean;
}

export function listOptions(query: { limit?: number; iterator?: string }): ListRequest {
  const raw = query.iterator ?? null;
  const backward = raw?.startsWith('-') === true;
  return { limit: query.limit ?? DEFAULT_LIMIT, iterator: backward ? (raw as string).slice(1) : raw, backward };
}

interface StorePage<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/**
 * Svix's list shape. Reading forward, `iterator` continues to older items and `done` says there are none;
 * `prevIterator` (`-` and the first item's key) reads the page before. Reading backward, `iterator` continues
 * forward from the page's last item, and `done` and `prevIterator` are about what comes before the page.
 */
export function listOut<T, O>(
  page: StorePage<T>,
  map: (item: T) => O,
  request: ListRequest,
  keyOf: (item: T) => string = (item) => (item as { id: string }).id,
) {
  const first = page.data[0];
  const last = page.data[page.data.length - 1];
  if (request.backward) {
    return {
      data: page.data.map(map),
      iterator: last === undefined ? request.iterator : keyOf(last),
      prevIterator: page.done || page.iterator === null ? null : `-${page.iterator}`,
      done: page.done,
    };
  }
  return {
    data: page.data.map(map),
    iterator: page.iterator,
    prevIterator: first === undefined ? null : `-${keyOf(first)}`,
    done: page.done,
  };
}
