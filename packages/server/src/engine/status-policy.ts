// What an HTTP answer means for a delivery. Pure.
//
// 2xx: delivered. 410 Gone: the receiver asks us to stop; the endpoint is disabled. Anything else (3xx: redirects are
// not followed, 4xx, 5xx) fails and is retried, unless the endpoint's policy names the status as final: a policy is a
// comma-separated list of statuses or classes, with `!` exceptions, e.g. "4xx,!408,!429" (the rule many in-house
// senders use: a client error will not fix itself, except a timeout or a rate limit).

export type ResponseVerdict = 'delivered' | 'retry' | 'final' | 'gone';

export interface StatusPolicy {
  readonly source: string;
  matches(status: number): boolean;
}

export class InvalidStatusPolicyError extends Error {
  readonly code = 'HOOKLINE_INVALID_STATUS_POLICY';
}

const TOKEN = /^(!?)([1-5])(xx|\d\d)$/;

export function parseStatusPolicy(source: string): StatusPolicy {
  const include: Array<(status: number) => boolean> = [];
  const exclude: Array<(status: number) => boolean> = [];
  for (const raw of source.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '') continue;
    const match = TOKEN.exec(token);
    if (match === null) {
      throw new InvalidStatusPolicyError(
        `"${raw.trim()}" is not a status (404) or a class (4xx), optionally with ! before it`,
      );
    }
    const [, bang, hundreds, rest] = match as unknown as [string, string, string, string];
    const test =
      rest === 'xx'
        ? (status: number) => Math.floor(status / 100) === Number(hundreds)
        : (status: number) => status === Number(`${hundreds}${rest}`);
    (bang === '!' ? exclude : include).push(test);
  }
  return {
    source,
    matches: (status) => include.some((test) => test(status)) && !exclude.some((test) => test(status)),
  };
}

export function classifyStatus(status: number, finalStatuses: StatusPolicy | null): ResponseVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (finalStatuses?.matches(status) === true) return 'final';
  return 'retry';
}

/** Statuses whose Retry-After header is honoured. */
export function honoursRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}
