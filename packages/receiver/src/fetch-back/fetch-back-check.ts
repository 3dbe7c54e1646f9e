// The fetch-back check: confirm an unsigned callback by asking the provider's own API ("has payment xyz been
// paid?") before acting on it. Framework-free: a function from the callback's fields to a verdict, usable as the
// `check` of a Webhooks receiver or by anything else that receives callbacks (the Hookline server's sources).
import { InvalidConfigurationError } from '../errors.js';
import { createOutboundAddressGuard, judgeUrlHost, type OutboundNetworkPolicy } from '../protect/outbound-address.js';
import { type CheckVerdict, type FetchBackExpectation, judgeFetchBackAnswer } from './answer.js';
import { defaultTransport, type FetchBackTransport } from './transport.js';
import { compileUrlTemplate } from './url-template.js';

export interface FetchBackOptions {
  /**
   * The provider's API URL, with `{field}` placeholders filled from the callback's fields (query, form or JSON;
   * `{data.id}` for nested JSON), percent-encoded. Placeholders are allowed in the path and query only.
   */
  url: string;
  /** Sent with the GET, e.g. the provider API's `authorization`. Never logged. */
  headers?: Readonly<Record<string, string>>;
  /** Accept only when the JSON answer has this field equal to this value. Default: any 2xx answer accepts. */
  expect?: FetchBackExpectation;
  /** The whole GET, connect to last byte. Default 10,000. */
  timeoutMs?: number;
  /** Default 1 MiB. */
  maxResponseBytes?: number;
  /**
   * SSRF guard: by default only public addresses are reached. `allowPrivateNetworks: true` is for local
   * development against a fake API on localhost; `allowedCidrs` names private ranges you do mean.
   */
  network?: OutboundNetworkPolicy;
  /** How the GET is made. Default: node:http(s) with the guard at connect time on Node; `fetch` elsewhere. */
  transport?: FetchBackTransport;
}

/** What a check resolves: `{ accepted: false, reason }` refuses the event; a throw means "cannot tell now". */
export type FetchBackCheck = (event: { payload: unknown }) => Promise<CheckVerdict>;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new InvalidConfigurationError(`${name} must be a positive integer`);
  return value;
}

/**
 * Builds the check once; a template that could be steered by the caller, a literal address the policy refuses,
 * or a bad option throws InvalidConfigurationError here rather than on the first callback.
 */
export function fetchBackCheck(options: FetchBackOptions): FetchBackCheck {
  if (typeof options !== 'object' || options === null)
    throw new InvalidConfigurationError('fetchBack options are required');
  const template = compileUrlTemplate(options.url);
  const guard = createOutboundAddressGuard(options.network);
  const host = new URL(template.origin).hostname;
  const verdict = judgeUrlHost(host, guard);
  if (verdict !== undefined && !verdict.allowed) {
    throw new InvalidConfigurationError(
      `fetchBack.url points at ${host}, a ${verdict.reason}; for local development set fetchBack.network.allowPrivateNetworks`,
    );
  }
  const expect = options.expect;
  if (expect !== undefined && (typeof expect.field !== 'string' || expect.field === '')) {
    throw new InvalidConfigurationError('fetchBack.expect.field must name a field of the answer');
  }
  const headers = { ...options.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || /[\r\n]/.test(value) || /[\r\n:]/.test(name)) {
      throw new InvalidConfigurationError(`fetchBack.headers: ${name.slice(0, 64)} is not a usable header`);
    }
  }
  const timeoutMs = positiveInteger('fetchBack.timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const maxResponseBytes = positiveInteger(
    'fetchBack.maxResponseBytes',
    options.maxResponseBytes,
    DEFAULT_MAX_RESPONSE_BYTES,
  );
  const transport = options.transport ?? defaultTransport();

  return async function checkByFetchingBack(event) {
    const filled = template.fill(event.payload);
    // A callback without the fields to ask about cannot be confirmed: refused, not retried.
    if (!filled.ok) return { accepted: false, reason: filled.reason };
    const answer = await transport({ url: filled.url, headers, timeoutMs, maxResponseBytes, guard });
    return judgeFetchBackAnswer(answer, expect);
  };
}
