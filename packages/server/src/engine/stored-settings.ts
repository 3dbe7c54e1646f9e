// Whether an endpoint's stored settings can be used to send, checked before each send. The API refuses bad values,
// but a row may still hold one (written by an older version, by hand, or by a path that skipped the checks), and a
// value the engine cannot use must become a recorded failed attempt that names it, never an error thrown between
// claim and record (the delivery would stay leased and be sent again every lease, forever). Pure.

import type { Endpoint } from '../store/types.js';
import { HEADER_NAME, HEADER_VALUE } from './delivery-headers.js';
import { destinationKindOf } from './destinations/destination-url.js';
import { validateSchedule } from './retry-policy.js';
import { InvalidStatusPolicyError, parseStatusPolicy } from './status-policy.js';

type SendSettings = Pick<
  Endpoint,
  'url' | 'headers' | 'headerPrefix' | 'retrySchedule' | 'nonRetryableStatuses' | 'throttleRate' | 'failingSince'
>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function urlProblem(url: unknown): string | null {
  if (typeof url !== 'string') return 'url is not a string';
  try {
    const parsed = new URL(url);
    return destinationKindOf(parsed) === undefined ? `url: no destination kind serves ${parsed.protocol}` : null;
  } catch {
    return 'url is not a URL';
  }
}

function headersProblem(headers: unknown): string | null {
  if (!isRecord(headers)) return 'headers is not an object of names to values';
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) return `headers: ${JSON.stringify(name.slice(0, 64))} is not a header name`;
    if (typeof value !== 'string') return `headers: the value of ${name} is not a string`;
    if (!HEADER_VALUE.test(value)) return `headers: the value of ${name} holds a line break or NUL`;
  }
  return null;
}

/** Why a stored retry schedule cannot be used; null for a usable one (or none: the server's applies). */
export function retryScheduleProblem(schedule: unknown): string | null {
  if (schedule === null) return null;
  if (!Array.isArray(schedule) || schedule.some((seconds) => typeof seconds !== 'number')) {
    return 'retrySchedule is not a list of seconds';
  }
  const problem = validateSchedule(schedule as number[]);
  return problem === null ? null : `retrySchedule: ${problem}`;
}

function statusPolicyProblem(policy: unknown): string | null {
  if (policy === null || policy === '') return null;
  if (typeof policy !== 'string') return 'nonRetryableStatuses is not a string';
  try {
    parseStatusPolicy(policy);
    return null;
  } catch (error) {
    if (error instanceof InvalidStatusPolicyError) return `nonRetryableStatuses: ${error.message}`;
    throw error;
  }
}

function positiveOrNull(value: unknown, name: string): string | null {
  if (value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? null : `${name} is not a positive number`;
}

/** The first stored setting the engine cannot use, as `field: why`; null when the endpoint can be sent to. */
export function storedSettingsProblem(endpoint: SendSettings): string | null {
  const failingSince = endpoint.failingSince as unknown;
  return (
    urlProblem(endpoint.url) ??
    headersProblem(endpoint.headers) ??
    (endpoint.headerPrefix === 'webhook' || endpoint.headerPrefix === 'svix'
      ? null
      : 'headerPrefix is neither webhook nor svix') ??
    retryScheduleProblem(endpoint.retrySchedule) ??
    statusPolicyProblem(endpoint.nonRetryableStatuses) ??
    positiveOrNull(endpoint.throttleRate, 'throttleRate') ??
    (failingSince === null || (typeof failingSince === 'number' && Number.isFinite(failingSince))
      ? null
      : 'failingSince is not a time')
  );
}
