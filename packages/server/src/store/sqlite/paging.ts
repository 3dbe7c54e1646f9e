// Pages of a list on SQLite, forward from an iterator or (backward) the page before it, as the PostgreSQL store
// pages: each list's SQL is written once, forward, and turned around here for the page before (../paging.ts
// makes the rows a page).
import { type Page, type PageRequest, pageOf, readsBackward } from '../paging.js';
import type { SqliteParts } from './sqlite-parts.js';

/**
 * The SQL turned around: the cursor comparison flips and the order reverses (the rows come back nearest first and
 * are put back in list order). Every list's SQL has exactly one of each, which is checked, so a list written another
 * way fails loudly instead of paging wrong.
 */
export function backwardSql(text: string): string {
  const turned = text
    .replace(/ (<|>) @iterator/, (_match, op: string) => (op === '<' ? ' > @iterator' : ' < @iterator'))
    .replace(/ORDER BY ([a-z_.]+)( DESC)? LIMIT/, (_match, key: string, desc?: string) =>
      desc === undefined ? `ORDER BY ${key} DESC LIMIT` : `ORDER BY ${key} LIMIT`,
    );
  if (turned.match(/@iterator/g)?.length !== 2 || turned === text) {
    throw new Error(`cannot page backward through: ${text}`);
  }
  return turned;
}

/** `text` must fetch limit + 1 rows, so a fuller page says there is more in the direction read. */
export function listPage<R extends object>(
  parts: SqliteParts,
  text: string,
  parameters: object,
  request: PageRequest,
  keyOf: (row: R) => string,
): Page<R> {
  const backward = readsBackward(request);
  const rows = parts.sql(backward ? backwardSql(text) : text).all(parameters) as R[];
  return pageOf(rows, request.limit, keyOf, backward);
}
