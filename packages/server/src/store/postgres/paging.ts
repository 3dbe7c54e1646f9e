// Pages of a list on PostgreSQL, forward from an iterator or (backward) the page before it, as the SQLite store
// pages: each list's SQL is written once, forward, and turned around here for the page before (../paging.ts
// makes the rows a page).
import { type Page, type PageRequest, pageOf, readsBackward } from '../paging.js';
import type { PostgresParts } from './postgres-parts.js';

/**
 * The SQL turned around: the cursor comparison on the iterator parameter flips and the order reverses (rows come
 * back nearest first and are put back in list order). Exactly one of each is required, so a list written another
 * way fails loudly instead of paging wrong.
 */
export function backwardSql(text: string, iteratorParam: string): string {
  const comparison = new RegExp(` (<|>) \\${iteratorParam}(?![0-9:])`, 'g');
  const comparisons = text.match(comparison)?.length ?? 0;
  const orders = text.match(/ORDER BY ([a-z_.]+)( DESC)? LIMIT/g)?.length ?? 0;
  if (comparisons !== 1 || orders !== 1) throw new Error(`cannot page backward through: ${text}`);
  return text
    .replace(comparison, (_match, op: string) => (op === '<' ? ` > ${iteratorParam}` : ` < ${iteratorParam}`))
    .replace(/ORDER BY ([a-z_.]+)( DESC)? LIMIT/, (_match, key: string, desc?: string) =>
      desc === undefined ? `ORDER BY ${key} DESC LIMIT` : `ORDER BY ${key} LIMIT`,
    );
}

/** `text` must fetch limit + 1 rows, so a fuller page says there is more in the direction read. */
export async function listPage<R extends object>(
  parts: PostgresParts,
  text: string,
  values: unknown[],
  request: PageRequest,
  keyOf: (row: R) => string,
  iteratorParam: string,
): Promise<Page<R>> {
  const backward = readsBackward(request);
  const { rows } = await parts.query<R>(backward ? backwardSql(text, iteratorParam) : text, values);
  return pageOf(rows, request.limit, keyOf, backward);
}
