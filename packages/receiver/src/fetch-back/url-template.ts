// The fetch-back URL: a template such as `https://api.pay.example/v1/payments/{id}?expand={kind}`, filled from the
// callback's fields. The caller's input must never choose where the request goes, so placeholders are refused in
// the scheme and host at configuration, and every value is percent-encoded and bounded when filled.
import { InvalidConfigurationError } from '../errors.js';

export type FilledUrl = { ok: true; url: URL } | { ok: false; reason: string };

export interface UrlTemplate {
  /** The template as configured. */
  readonly source: string;
  /** The fixed origin every filled URL has (`https://api.pay.example`). */
  readonly origin: string;
  /** The URL for these fields, or why there is none (a missing or unusable field). */
  fill(fields: unknown): FilledUrl;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
/** A provider's ids are short; a longer value is refused rather than sent. */
export const MAX_FIELD_VALUE_LENGTH = 1024;

function describe(template: string): string {
  return template.length > 200 ? `${template.slice(0, 200)}…` : template;
}

/**
 * A field by name: the key itself first (a form field may be called `order.id`), else a dotted path into nested
 * JSON (`data.object.id`). Own properties only, so `__proto__` or `constructor` never reach the prototype.
 */
export function readField(fields: unknown, path: string): unknown {
  const own = (value: unknown, key: string): unknown =>
    typeof value === 'object' && value !== null && Object.hasOwn(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined;
  const direct = own(fields, path);
  if (direct !== undefined) return direct;
  let value: unknown = fields;
  for (const key of path.split('.')) {
    value = own(value, key);
    if (value === undefined) return undefined;
  }
  return value;
}

function fieldText(fields: unknown, path: string): { ok: true; text: string } | { ok: false; reason: string } {
  const value = readField(fields, path);
  if (value === undefined || value === null || value === '') return { ok: false, reason: `field ${path} is missing` };
  if (Array.isArray(value)) return { ok: false, reason: `field ${path} has several values` };
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    return { ok: false, reason: `field ${path} is not a string or number` };
  }
  const text = String(value);
  if (text.length > MAX_FIELD_VALUE_LENGTH) {
    return { ok: false, reason: `field ${path} is longer than ${MAX_FIELD_VALUE_LENGTH} characters` };
  }
  return { ok: true, text };
}

/** Parses and checks a template once; throws InvalidConfigurationError when it could be steered or cannot work. */
export function compileUrlTemplate(template: string): UrlTemplate {
  if (typeof template !== 'string' || template === '') {
    throw new InvalidConfigurationError('fetchBack.url must be a URL template');
  }
  const placeholders = [...template.matchAll(PLACEHOLDER)];
  for (const match of placeholders) {
    if (!FIELD_PATH.test(match[1] ?? '')) {
      throw new InvalidConfigurationError(
        `fetchBack.url: {${(match[1] ?? '').slice(0, 64)}} is not a field name (letters, digits, _ $ -, dotted)`,
      );
    }
  }
  let probe: URL;
  try {
    probe = new URL(template.replace(PLACEHOLDER, 'x'));
  } catch {
    throw new InvalidConfigurationError(`fetchBack.url ${describe(template)} is not an absolute URL`);
  }
  const schemeEnd = template.indexOf('://');
  const afterScheme = schemeEnd < 0 ? -1 : schemeEnd + 3;
  const authorityEnd = afterScheme < 0 ? -1 : template.slice(afterScheme).search(/[/?#]/);
  const originEnd = authorityEnd < 0 ? template.length : afterScheme + authorityEnd;
  if (placeholders.some((match) => (match.index ?? 0) < originEnd)) {
    throw new InvalidConfigurationError(
      `fetchBack.url ${describe(template)}: placeholders may appear in the path and query only, never in the scheme or host`,
    );
  }
  if (template.includes('#')) throw new InvalidConfigurationError('fetchBack.url must not have a fragment (#)');
  if (probe.protocol !== 'http:' && probe.protocol !== 'https:') {
    throw new InvalidConfigurationError(`fetchBack.url: scheme ${probe.protocol} is not supported; use http or https`);
  }
  if (probe.username !== '' || probe.password !== '') {
    throw new InvalidConfigurationError('fetchBack.url must not carry credentials; send them in fetchBack.headers');
  }
  const origin = probe.origin;
  // Where each placeholder sits: a path segment, where `.` and `..` would walk up the path even percent-encoded.
  const queryStart = template.indexOf('?');
  return {
    source: template,
    origin,
    fill(fields) {
      let out = '';
      let last = 0;
      for (const match of placeholders) {
        const at = match.index ?? 0;
        const field = fieldText(fields, match[1] ?? '');
        if (!field.ok) return field;
        const inPath = queryStart < 0 || at < queryStart;
        if (inPath && (field.text === '.' || field.text === '..')) {
          return { ok: false, reason: `field ${match[1]} is not usable in a path` };
        }
        out += template.slice(last, at) + encodeURIComponent(field.text);
        last = at + match[0].length;
      }
      out += template.slice(last);
      let url: URL;
      try {
        url = new URL(out);
      } catch {
        return { ok: false, reason: 'the filled URL does not parse' };
      }
      // Cannot happen with the checks above; kept so that a future change to them fails closed.
      if (url.origin !== origin) return { ok: false, reason: 'the filled URL left its origin' };
      return { ok: true, url };
    },
  };
}
