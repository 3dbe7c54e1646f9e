// The input classes of issue 16 (items 5-9) for the API fuzz: values that passed the schemas and broke something
// past the edge. Each comes in the form a client can actually send: a JSON number literal (1e400) or a nesting
// 5,000 deep spliced into the body text, a lone surrogate as `\ud800` in JSON or as its WTF-8 bytes in a URL.
import fc from 'fast-check';

export type PoisonClass = 'non-finite' | 'nul' | 'surrogate' | 'date' | 'depth';

/** A stand-in a body holds until it is written out: replaced, quotes and all, by text JSON.stringify cannot make. */
const SPLICES = {
  '1e400': '1e400',
  '-1e400': '-1e400',
  deepArray: `${'['.repeat(5000)}${']'.repeat(5000)}`,
  deepObject: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
} as const;
type SpliceName = keyof typeof SPLICES;

const spliceMark = (name: SpliceName): string => `@@splice:${name}@@`;

/** JSON text of a value, with every splice mark replaced by its raw text. */
export function jsonWithSplices(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(/"@@splice:([A-Za-z0-9-]+)@@"/g, (match, name: string) =>
    name in SPLICES ? SPLICES[name as SpliceName] : match,
  );
}

export interface Poison {
  kind: PoisonClass;
  /** What goes into a JSON body (may hold a splice mark). */
  body: unknown;
  /** What goes into a query value or a path segment, unencoded (lone surrogates are sent as WTF-8 bytes). */
  text: string;
}

const NON_FINITE: Poison[] = [
  { kind: 'non-finite', body: spliceMark('1e400'), text: '1e400' },
  { kind: 'non-finite', body: spliceMark('-1e400'), text: '-1e400' },
  { kind: 'non-finite', body: '1e400', text: 'Infinity' },
  { kind: 'non-finite', body: 'Infinity', text: '-Infinity' },
  { kind: 'non-finite', body: '-Infinity', text: 'NaN' },
  { kind: 'non-finite', body: 'NaN', text: '1e309' },
];
const NUL: Poison[] = [
  { kind: 'nul', body: '\u0000', text: '\u0000' },
  { kind: 'nul', body: 'a\u0000b', text: 'a\u0000b' },
  { kind: 'nul', body: 'app_\u0000', text: 'ep_\u0000' },
];
const SURROGATE: Poison[] = [
  { kind: 'surrogate', body: '\ud800', text: '\ud800' },
  { kind: 'surrogate', body: '\udfff', text: '\udfff' },
  { kind: 'surrogate', body: 'a\ud800b', text: 'x\udc00' },
];
/** A leap second, days no month has, hours past 23, a year 0 month 0: each once read as NaN or a 500. */
const BAD_DATES = [
  '2016-12-31T23:59:60Z',
  '2026-02-30T00:00:00Z',
  '2026-02-29T12:00:00Z',
  '2026-04-31T00:00:00+02:00',
  '2026-12-31T24:00:00Z',
  '0000-00-00T00:00:00Z',
  '2026-01-01T00:00:00',
  '+275760-09-13T00:00:00.001Z',
];
const DATE: Poison[] = BAD_DATES.map((date) => ({ kind: 'date', body: date, text: date }));
const DEPTH: Poison[] = [
  { kind: 'depth', body: spliceMark('deepArray'), text: '1' },
  { kind: 'depth', body: spliceMark('deepObject'), text: '1' },
];

export const poison: fc.Arbitrary<Poison> = fc.constantFrom(...NON_FINITE, ...NUL, ...SURROGATE, ...DATE, ...DEPTH);
/** The classes a query value or path can carry (nesting is a body's). */
export const textPoison: fc.Arbitrary<Poison> = fc.constantFrom(...NON_FINITE, ...NUL, ...SURROGATE, ...DATE);

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is written as the three bytes a generalized
 * UTF-8 gives it (%ED%A0%80 for U+D800): what a careless client sends, and not valid UTF-8.
 */
export function percentEncode(value: string): string {
  let out = '';
  // split with a capture: the odd-numbered pieces are the lone surrogates, the others well-formed text.
  const pieces = value.split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/);
  for (const [index, piece] of pieces.entries()) {
    if (index % 2 === 1) {
      const unit = piece.charCodeAt(0);
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(piece);
    }
  }
  return out;
}

/** A copy of `template` with the value at one path replaced by `value` (a list element, a map value, or a key). */
export function withValueAt(template: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(template)) {
    const copy = [...template];
    copy[Number(head)] = withValueAt(copy[Number(head)], rest, value);
    return copy;
  }
  const record = (typeof template === 'object' && template !== null ? template : {}) as Record<string, unknown>;
  return { ...record, [head]: withValueAt(record[head], rest, value) };
}

/** Every path in a JSON value that leads to a leaf or a container (not the root), in document order. */
export function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
}

/** A copy of `template` where the key at `path` (a map's key, not its value) is replaced by `key`. */
export function withKeyAt(template: unknown, path: ReadonlyArray<string | number>, key: string): unknown {
  const parentPath = path.slice(0, -1);
  const oldKey = path[path.length - 1];
  let parent: unknown = template;
  for (const part of parentPath) parent = (parent as Record<string | number, unknown>)[part];
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent) || typeof oldKey !== 'string') {
    return template;
  }
  const { [oldKey]: moved, ...others } = parent as Record<string, unknown>;
  return withValueAt(template, parentPath, { ...others, [key]: moved });
}
