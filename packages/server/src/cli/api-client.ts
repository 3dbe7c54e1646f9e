// The CLI's HTTP client for a running Hookline: every command that talks to a server (keys, and later apps,
// endpoints, send, tail, replay) builds one from --url/--token or HOOKLINE_URL/HOOKLINE_TOKEN.
import type { Command } from 'commander';

/** A usage mistake (missing token, bad URL): exit code 2, like a config error. */
export class CliUsageError extends Error {
  readonly code = 'HOOKLINE_CLI_USAGE';
}

/** The server answered with an error: its {code, detail} and status, for the user to read. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail} (HTTP ${status})`);
  }
}

export interface ServerOptions {
  url?: string;
  token?: string;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** Adds --url and --token to a command that talks to a server. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--url <url>', `the Hookline server (env HOOKLINE_URL, default ${DEFAULT_SERVER_URL})`)
    .option('--token <token>', 'an admin token or API key (env HOOKLINE_TOKEN)');
}

/** A 422's detail is Svix's list of {loc, msg}: said as "field: problem; …". Null when it is neither form. */
function describeDetail(detail: unknown): string | null {
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return null;
  return detail
    .map((issue: { loc?: unknown; msg?: unknown }) => {
      const loc = Array.isArray(issue.loc) ? issue.loc.slice(1).join('.') : '';
      return `${loc}: ${String(issue.msg)}`;
    })
    .join('; ');
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string;

  constructor(options: { url: string; token: string }) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new CliUsageError(`--url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CliUsageError(`--url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    // The CLI adds /api/v1 itself (as the Svix SDKs do with serverUrl): a URL that ends in it would ask the server
    // for /api/v1/api/v1/…, which answers "no route" and sends people looking for a wrong id.
    if (/\/api\/v1\/?$/.test(parsed.pathname)) {
      const server = `${parsed.origin}${parsed.pathname.replace(/\/api\/v1\/?$/, '')}`;
      throw new CliUsageError(
        `--url/HOOKLINE_URL is the server's address without /api/v1 (the CLI adds it): use ${server}`,
      );
    }
    this.baseUrl = parsed.toString().replace(/\/$/, '');
    this.token = options.token;
  }

  /** Flags first, then the environment; a token is required. */
  static fromOptions(options: ServerOptions, env: Readonly<Record<string, string | undefined>>): ApiClient {
    const url = options.url ?? env.HOOKLINE_URL ?? DEFAULT_SERVER_URL;
    const token = options.token ?? env.HOOKLINE_TOKEN;
    if (token === undefined || token === '') {
      throw new CliUsageError('no token: pass --token or set HOOKLINE_TOKEN (the admin token or an admin API key)');
    }
    return new ApiClient({ url, token });
  }

  /** Sends one request; resolves with the parsed JSON answer (null for an empty one), rejects on 4xx/5xx. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as { code?: unknown; detail?: unknown };
      throw new ApiRequestError(
        response.status,
        typeof error.code === 'string' ? error.code : 'http_error',
        describeDetail(error.detail) ?? text.slice(0, 200),
      );
    }
    return parsed as T;
  }
}
