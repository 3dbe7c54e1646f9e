// Query-string pieces several routes share, in Svix's names and encodings (the SDK joins arrays with commas and
// writes dates as ISO-8601).
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

/** The schema already checked the format: this only turns it into epoch milliseconds. */
export function timeOrNull(value: string | undefined): number | null {
  return value === undefined ? null : Date.parse(value);
}
