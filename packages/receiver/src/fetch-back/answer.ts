// What the provider's answer to a fetch-back means: yes, no (with why), or "cannot tell now" (thrown, so the event
// is retried rather than dropped). Pure: status and bytes in, verdict out.
import { FetchBackUnavailableError } from '../errors.js';
import { readField } from './url-template.js';

export type CheckVerdict = { accepted: true } | { accepted: false; reason: string };

export type ExpectedValue = string | number | boolean | null;

export interface FetchBackExpectation {
  /** A field of the JSON answer, dotted for nested ones (`data.status`). */
  field: string;
  /** The value it must equal (compared with ===, so `"1"` is not `1`). */
  equals: ExpectedValue;
}

export interface FetchBackAnswer {
  status: number;
  body: Uint8Array;
}

// Statuses that say nothing about the event: the provider is down, busy, or refuses our credentials (a
// configuration problem the operator must see). The event is retried, not rejected.
const CANNOT_TELL = new Set([401, 403, 407, 408, 425, 429]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** Judges one answer. Throws FetchBackUnavailableError when the answer cannot decide. */
export function judgeFetchBackAnswer(answer: FetchBackAnswer, expect: FetchBackExpectation | undefined): CheckVerdict {
  const { status } = answer;
  if (status >= 500 || CANNOT_TELL.has(status)) {
    throw new FetchBackUnavailableError(`the fetch-back answered ${status}`);
  }
  if (status < 200 || status >= 300) {
    const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return { accepted: false, reason: `the fetch-back answered ${status}${why}` };
  }
  if (expect === undefined) return { accepted: true };
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(answer.body));
  } catch {
    // A maintenance page or a proxy's error in a 2xx says nothing about the event: try again later.
    throw new FetchBackUnavailableError(`the fetch-back answered ${status} with a body that is not JSON`);
  }
  const value = readField(json, expect.field);
  if (value === expect.equals) return { accepted: true };
  return {
    accepted: false,
    reason: `the fetch-back answer has ${expect.field} = ${value === undefined ? 'nothing' : quoted(value)}, expected ${quoted(expect.equals)}`,
  };
}
