// The payload filter language: a subset of MongoDB's query language (what `sift` evaluates), chosen because it is
// declarative JSON, widely known, and the shape Convoy's subscription filters already use. Only these operators:
// no $regex (a hostile pattern is a ReDoS), no $where (it runs code), nothing that walks more than one path.

/** A JSON value as a filter holds it. */
export type FilterValue = string | number | boolean | null | FilterValue[] | { [key: string]: FilterValue };

/** `{"data.amount": {"$gte": 100}, "$or": [...]}`: paths into the payload, and the logical operators. */
export type PayloadFilter = { [key: string]: FilterValue };

/** Operators that combine whole filters: each takes a non-empty array of filters. */
export const LOGICAL_OPERATORS = ['$and', '$or', '$nor'] as const;

/** Operators on the value at a path, and what each takes. */
export const VALUE_OPERATORS = {
  $eq: 'scalar',
  $ne: 'scalar',
  $gt: 'comparable',
  $gte: 'comparable',
  $lt: 'comparable',
  $lte: 'comparable',
  $in: 'scalars',
  $nin: 'scalars',
  $exists: 'boolean',
  $not: 'conditions',
} as const;

export type ValueOperator = keyof typeof VALUE_OPERATORS;

/**
 * Bounds that keep one filter's evaluation cheap and its validation linear: a filter runs on every message its
 * application publishes, inside the publish transaction, for every endpoint that has one.
 */
export const FILTER_LIMITS = {
  /** Objects and arrays nested in a filter (the filter itself is depth 1). */
  maxDepth: 8,
  /** Paths, operators and values in one filter, counted as the validator meets them. */
  maxNodes: 1024,
  /** Values in one $in or $nin list. */
  maxListItems: 256,
  /** Characters of one path (`data.customer.id`) and of one string value. */
  maxPathLength: 256,
  maxStringLength: 1024,
  /** Segments of one path. */
  maxPathSegments: 16,
  /** The filter as stored (JSON text). */
  maxBytes: 16384,
} as const;

/**
 * Path segments refused: JavaScript property names that reach the prototype of every payload object, so a filter
 * could never test a payload's own field of that name and would instead see the language's internals.
 */
export const FORBIDDEN_SEGMENTS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
