// What the operator commands need from a server connection: URL and token from flags or the environment, the
// shared ApiClient (also used by `hookline keys`) underneath, and errors that say what to try next. The token goes
// in the Authorization header only; it is never printed.
import { ApiClient, ApiRequestError } from './api-client.js';
import { CliError } from './cli-error.js';

export interface ClientOptions {
  url: string;
  token: string | null;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Global flags win over the environment; the environment over the default. */
export function clientOptions(
  flags: { url?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
): ClientOptions {
  const url = (flags.url ?? env.HOOKLINE_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const token = flags.token ?? env.HOOKLINE_TOKEN ?? null;
  return { url, token: token === '' ? null : token };
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** The commands' client: the shared ApiClient for transport, plus errors that say what to try next. */
export class HooklineClient {
  private readonly api: ApiClient | null;

  constructor(private readonly options: ClientOptions) {
    this.api = options.token === null ? null : new ApiClient({ url: options.url, token: options.token });
  }

  get url(): string {
    return this.options.url;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.api === null) {
      throw new CliError(
        'no_token',
        'no API token given',
        'set --token or HOOKLINE_TOKEN (the admin token or an API key)',
      );
    }
    try {
      return await this.api.request<T>(method, path, body);
    } catch (error) {
      if (error instanceof ApiRequestError) {
        throw new CliError(
          error.code,
          `${method} ${path} answered ${error.status}: ${error.detail}`,
          hintFor(error.status, error.code, error.detail),
        );
      }
      const code = causeCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        throw new CliError(
          'unreachable',
          `cannot reach ${this.options.url} (${code})`,
          `is hookline serve running at ${this.options.url}? set --url or HOOKLINE_URL`,
        );
      }
      const cause = (error as { cause?: unknown }).cause;
      const why = cause instanceof Error ? cause.message : (error as Error).message;
      throw new CliError('request_failed', `${method} ${path} failed: ${why}`, 'check --url or HOOKLINE_URL');
    }
  }
}

function hintFor(status: number, code: string, detail: string): string | null {
  if (status === 401) return 'check --token or HOOKLINE_TOKEN: the server did not accept it';
  if (status === 403) return 'this key may not do that: an application key reaches only its own application';
  if (status === 404 && code === 'not_found' && detail.startsWith('no route')) {
    return 'the server has no such route: check --url or HOOKLINE_URL (the server address, e.g. http://127.0.0.1:8080)';
  }
  if (status === 404) return 'check the ids: application, endpoint and message ids or uids';
  return null;
}

export interface ListPage<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/** Follows iterators through every page of a list, bounded so a server that never says done cannot loop forever. */
export async function listAll<T>(client: HooklineClient, path: string, maxPages = 1000): Promise<T[]> {
  const items: T[] = [];
  let iterator: string | null = null;
  for (let pageNumber = 0; pageNumber < maxPages; pageNumber++) {
    const separator = path.includes('?') ? '&' : '?';
    const query = `${separator}limit=250${iterator === null ? '' : `&iterator=${encodeURIComponent(iterator)}`}`;
    const page: ListPage<T> = await client.request('GET', `${path}${query}`);
    items.push(...page.data);
    if (page.done || page.iterator === null) return items;
    iterator = page.iterator;
  }
  throw new CliError('too_many_pages', `${path} did not finish within ${maxPages} pages`, null);
}
