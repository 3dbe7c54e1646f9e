// The fetch-back's GET on Node: node:http(s) with a DNS lookup that judges every address before the socket may
// use it. The modules are taken with process.getBuiltinModule, not imported, so the package still loads (and
// bundles) on runtimes that have no node:* modules; there this transport is simply not available.
import type * as Dns from 'node:dns';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type { LookupFunction } from 'node:net';
import { FetchBackAddressRefusedError, FetchBackUnavailableError, InvalidConfigurationError } from '../errors.js';
import { judgeUrlHost, type OutboundAddressGuard } from '../protect/outbound-address.js';
import type { FetchBackAnswer } from './answer.js';
import type { FetchBackRequest, FetchBackTransport } from './transport.js';

interface NodeModules {
  dns: typeof Dns;
  http: typeof Http;
  https: typeof Https;
}

function nodeModules(): NodeModules | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') return undefined;
  const dns = get('dns') as typeof Dns | undefined;
  const http = get('http') as typeof Http | undefined;
  const https = get('https') as typeof Https | undefined;
  return dns && http && https ? { dns, http, https } : undefined;
}

/**
 * A lookup for net.connect: resolves every address of the name and refuses the name when ANY of them is refused
 * (dialing only the allowed ones would let whoever controls the DNS mix in a private address and probe it).
 */
function guardedLookup(resolveHost: ResolveHost, guard: OutboundAddressGuard): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname, options, (error, addresses) => {
      if (error !== null) {
        callback(error, '');
        return;
      }
      for (const { address } of addresses) {
        const verdict = guard(address);
        if (!verdict.allowed) {
          callback(new FetchBackAddressRefusedError(address, verdict.reason, hostname), '');
          return;
        }
      }
      const first = addresses[0];
      if (first === undefined)
        callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      else if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Every address of a name, as node:dns `lookup(name, { all: true })` gives them. */
export type ResolveHost = (
  hostname: string,
  options: Dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: Dns.LookupAddress[]) => void,
) => void;

export interface NodeTransportOptions {
  /** Name resolution; default node:dns `lookup`. Tests give a name that resolves to a private address. */
  resolveHost?: ResolveHost;
}

type Agents = { http: Http.Agent; https: Https.Agent };

function get(modules: NodeModules, agents: Agents, request: FetchBackRequest): Promise<FetchBackAnswer> {
  const { url, guard } = request;
  // An address in the URL is dialed as it is (no lookup runs for it), so it is judged here; names go through the
  // guarded lookup.
  const verdict = judgeUrlHost(url.hostname, guard);
  if (verdict !== undefined && !verdict.allowed) {
    return Promise.reject(new FetchBackAddressRefusedError(url.hostname, verdict.reason));
  }
  const https = url.protocol === 'https:';
  const client = https ? modules.https : modules.http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: FetchBackAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        req.destroy();
        reject(
          error instanceof FetchBackAddressRefusedError || error instanceof FetchBackUnavailableError
            ? error
            : new FetchBackUnavailableError(`the fetch-back to ${url.origin} failed: ${error.message}`),
        );
      } else resolve(answer as FetchBackAnswer);
    };
    const req = client.request(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...request.headers },
      agent: https ? agents.https : agents.http,
    });
    const timer = setTimeout(
      () => finish(new FetchBackUnavailableError(`the fetch-back to ${url.origin} took over ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > request.maxResponseBytes) {
          finish(new FetchBackUnavailableError(`the fetch-back answer is over ${request.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks, length) }));
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(new Error('the answer was cut short')));
    });
    req.end();
  });
}

/** Whether this runtime has node:http (Node, Bun, Deno with Node compatibility). */
export function hasNodeHttp(): boolean {
  return nodeModules() !== undefined;
}

/** The node:http(s) transport. Throws where there is no node:http; `fetchTransport` is the one for that. */
export function nodeTransport(options: NodeTransportOptions = {}): FetchBackTransport {
  const modules = nodeModules();
  if (modules === undefined) {
    throw new InvalidConfigurationError('nodeTransport needs node:http; on this runtime use fetchTransport');
  }
  const resolveHost: ResolveHost =
    options.resolveHost ??
    ((hostname, lookupOptions, callback) =>
      modules.dns.lookup(
        hostname,
        { all: true, family: lookupOptions.family ?? 0, hints: lookupOptions.hints ?? 0 },
        callback,
      ));
  // Kept-alive sockets are reused without a new lookup, so each guard has its own pool: a connection opened under
  // a looser policy (another check's allowPrivateNetworks) is never lent to a stricter one.
  const pools = new WeakMap<OutboundAddressGuard, Agents>();
  return (request) => {
    let agents = pools.get(request.guard);
    if (agents === undefined) {
      const lookup = guardedLookup(resolveHost, request.guard);
      agents = {
        http: new modules.http.Agent({ keepAlive: true, lookup }),
        https: new modules.https.Agent({ keepAlive: true, lookup }),
      };
      pools.set(request.guard, agents);
    }
    return get(modules, agents, request);
  };
}
