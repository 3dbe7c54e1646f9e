// Endpoint custom headers as the API shows them: sensitive ones (Authorization, tokens, keys …) by name only, their
// values never read back, as Svix does. What may be set, and how a patch merges: operations/endpoint-headers.ts.

const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SENSITIVE_PARTS = ['token', 'secret', 'key', 'password', 'passwd', 'auth', 'session', 'credential', 'signature'];

export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_NAMES.has(lower) || SENSITIVE_PARTS.some((part) => lower.includes(part));
}

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
