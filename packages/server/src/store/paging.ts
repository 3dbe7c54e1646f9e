// Pages of a list, the same in both stores: each list's SQL fetches one row more than the page, forward from the
// iterator or (backward) nearest first before it; here the rows become the page, its iterator and `done`. How the
// SQL is turned around for the page before is each dialect's paging.ts.
export interface Page<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

export interface ListOptions {
  limit: number;
  /** Return items older than this id (newest first). */
  iterator?: string | null;
  /**
   * The page before the iterator instead (items newer than it), still in list order; the result's iterator is then
   * its first item, to keep paging backward, and `done` says nothing comes before it. Ignored without an iterator.
   */
  backward?: boolean;
}

export interface PageRequest {
  limit: number;
  iterator?: string | null;
  backward?: boolean;
}

/** Backward only when asked and there is an iterator to read before (the first page has none). */
export function readsBackward(request: PageRequest): boolean {
  return request.backward === true && request.iterator != null;
}

/**
 * `rows` holds one row more than the page when there is more in the direction read. Forward, the iterator is the
 * last row's key (the next page); backward, rows came nearest first: the page is put back in list order and the
 * iterator is its first row's key (the page before it).
 */
export function pageOf<R>(rows: R[], limit: number, keyOf: (row: R) => string, backward: boolean): Page<R> {
  const done = rows.length <= limit;
  const taken = done ? rows : rows.slice(0, limit);
  if (backward) {
    const data = taken.reverse();
    return { data, iterator: data.length > 0 ? keyOf(data[0] as R) : null, done };
  }
  return { data: taken, iterator: taken.length > 0 ? keyOf(taken[taken.length - 1] as R) : null, done };
}

export const byId = (row: { id: string }): string => row.id;
