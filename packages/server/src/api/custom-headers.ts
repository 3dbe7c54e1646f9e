// Endpoint custom headers as the API shows them: sensitive ones (Authorization, tokens, keys …) by name only, their
// values never read back, as Svix does (the rule: engine/sensitive-headers.ts). What may be set, and how a patch
// merges: operations/endpoint-headers.ts.
import { isSensitiveHeader } from '../engine/sensitive-headers.js';

/** Svix's EndpointHeadersOut: the values of sensitive headers are left out, their names listed. */
export function headersOut(headers: Readonly<Record<string, string>>) {
  const shown: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveHeader(name)) sensitive.push(name);
    else shown[name] = value;
  }
  return { headers: shown, sensitive };
}
