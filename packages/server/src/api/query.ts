// Query-string pieces several routes share, in Svix's names and encodings (the SDK joins arrays with commas and
// writes dates as ISO-8601).
import { parseInstant } from '../input/instant.js';
import { HttpError } from './http-error.js';
import { dateTime } from './schemas.js';

export const eventTypesQuery = {
  type: 'array',
  maxItems: 100,
  items: { type: 'string', maxLength: 4096 },
  description: 'event type names, comma separated or repeated',
} as const;

export const timeFilterProperties = {
  before: dateTime,
  after: dateTime,
} as const;

export const booleanQuery = { type: 'boolean' } as const;

/** `a,b` and `?x=a&x=b` both mean [a, b]; empty parts are dropped; no names at all means no filter. */
export function commaList(values: readonly string[] | undefined): string[] | null {
  if (values === undefined) return null;
  const names = values.flatMap((value) => value.split(',')).filter((name) => name.length > 0);
  return names.length === 0 ? null : names;
}

/**
 * A `date-time` the schema checked, as epoch milliseconds. The schema's format is parseInstant itself, so it cannot
 * fail here; if a route ever forgot the format, it refuses the value rather than read it as NaN.
 */
export function timeOrNull(value: string | undefined): number | null {
  return value === undefined ? null : instantOf(value);
}

export function instantOf(value: string): number {
  const ms = parseInstant(value);
  if (ms === null) throw new HttpError(422, 'validation', `${JSON.stringify(value.slice(0, 64))} is not a date-time`);
  return ms;
}
