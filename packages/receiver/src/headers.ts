// Reading request headers whatever the runtime gave us: a Web `Headers` (get) or a node-style record.
import type { HeadersInput } from '@hookline/signatures';

function hasGet(headers: HeadersInput): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/** The value of a header by its lowercase name, repeated values joined with ', '; undefined when absent. */
export function headerValue(headers: HeadersInput, lowercaseName: string): string | undefined {
  if (hasGet(headers)) return headers.get(lowercaseName) ?? undefined;
  let value = headers[lowercaseName];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.length === lowercaseName.length && key.toLowerCase() === lowercaseName) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** A plain lowercase record of the headers, for handlers and for the durable inbox. */
export function headersToRecord(headers: HeadersInput): Record<string, string> {
  const record: Record<string, string> = {};
  if (hasGet(headers)) {
    const iterable = headers as unknown as { forEach?: (fn: (value: string, key: string) => void) => void };
    iterable.forEach?.((value, key) => {
      record[key.toLowerCase()] = value;
    });
    return record;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) record[key.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return record;
}
