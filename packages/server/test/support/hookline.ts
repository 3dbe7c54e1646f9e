// Starts a real Hookline (store, engine, API) in this process on a temp SQLite file, and a small API client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { defaultConfig, type ServerConfig } from '../../src/config.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export type DeliveryConfig = Partial<ServerConfig['delivery']>;

export interface TestHookline {
  server: RunningServer;
  api: Api;
  dir: string;
  stop(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token = ADMIN_TOKEN,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.call<T>(method, path, body);
    if (response.status >= 300)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

export async function startHookline(
  delivery: DeliveryConfig = {},
  overrides: Partial<Omit<ServerConfig, 'delivery'>> = {},
  /** Where the server logs (tests that read its lines); default: nowhere. */
  logger: Logger = pino({ level: 'silent' }),
): Promise<TestHookline> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-test-'));
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    port: 0,
    database: join(dir, 'hookline.db'),
    adminToken: ADMIN_TOKEN,
    allowPrivateNetworks: true,
    logLevel: 'silent',
    shutdownDrainMs: 2000,
    ...overrides,
    delivery: {
      ...base.delivery,
      retrySchedule: [0.05, 0.05, 0.05],
      timeoutMs: 2000,
      leaseMarginMs: 1000,
      pollIntervalMs: 200,
      ...delivery,
    },
  };
  // Silent like the logger: development mode's test receiver would print a line per request it answers.
  const server = await serve(config, {
    logger,
    print: () => undefined,
  });
  return {
    server,
    api: new Api(server.url),
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Setup {
  appId: string;
  endpointId: string;
  secret: string;
}

/** One application with one endpoint pointing at `url`. */
export async function appWithEndpoint(api: Api, url: string, endpoint: Record<string, unknown> = {}): Promise<Setup> {
  const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Test app' });
  const ep = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, { url, ...endpoint });
  const secret = await api.ok<{ key: string }>('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}/secret`);
  return { appId: app.id, endpointId: ep.id, secret: secret.key };
}

export function publish(
  api: Api,
  appId: string,
  payload: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return api.ok<{ id: string }>('POST', `/api/v1/app/${appId}/msg`, {
    eventType: 'payment.succeeded',
    payload,
    ...extra,
  });
}

export interface AttemptOut {
  id: string;
  status: number;
  triggerType: number;
  responseStatusCode: number;
  response: string;
  error: string | null;
  timestamp: string;
}

export async function attemptsOf(api: Api, appId: string, msgId: string): Promise<AttemptOut[]> {
  const page = await api.ok<{ data: AttemptOut[] }>('GET', `/api/v1/app/${appId}/attempt/msg/${msgId}`);
  return page.data.reverse();
}
