// Real undici Agent, real node:http/https servers on loopback. "Public" addresses only ever appear in injected DNS
// answers that are refused before any connect, and every agent is bound to 127.0.0.1, so no test sends traffic off
// this machine even if the guard were broken.

import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuardedConnector, type GuardedConnectorOptions, type ResolvedAddress } from './guarded-connector.js';
import { DEFAULT_NETWORK_POLICY, InvalidCidrError, type NetworkPolicy, SsrfBlockedError } from './ssrf-guard.js';

// Throwaway self-signed test certificate for DNS:hooks.hookline.test only (no IP SAN), valid until 2126.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNK57wziUpMluyOZm
JG4DODkssqzd2cmsWoxabwg8hL2hRANCAARhoneLBSO/JgJGvwQQYcCCtFW5MJ0F
Jhb8A242TzUBkWd+VZW69zJj+M2kHkIJmIOkvfkKsgy+u13jKU6m9ajn
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBsjCCAVmgAwIBAgIUWaTuBeUkmuY5v3Lii+wBv9DxaUMwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTaG9va3MuaG9va2xpbmUudGVzdDAgFw0yNjExMjQwNjQxMTJa
GA8yMTI2MTAzMTA2NDExMlowHjEcMBoGA1UEAwwTaG9va3MuaG9va2xpbmUudGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGGid4sFI78mAka/BBBhwIK0Vbkw
nQUmFvwDbjZPNQGRZ35Vlbr3MmP4zaQeQgmYg6S9+QqyDL67XeMpTqb1qOejczBx
MB0GA1UdDgQWBBTxAgm0J8CNR/qeUe8uVocZifnXHDAfBgNVHSMEGDAWgBTxAgm0
J8CNR/qeUe8uVocZifnXHDAPBgNVHRMBAf8EBTADAQH/MB4GA1UdEQQXMBWCE2hv
b2tzLmhvb2tsaW5lLnRlc3QwCgYIKoZIzj0EAwIDRwAwRAIgAvlmORX9iIG72Hbb
SLTBa+DWz9DT0fbZ3PUzAQZfXeUCIApoB/+niv8E4EapSNmJvvvPL/QMXeY2IbDu
3SsGrxZ3
-----END CERTIFICATE-----
`;

interface LoopbackServer {
  port: number;
  /** TCP connections the server accepted. */
  connections: () => number;
  /** Host header and TLS SNI of every request received. */
  requests: Array<{ host: string | undefined; servername: string | undefined }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Bounded: one entry per resource a test opened.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startLoopbackServer(kind: 'http' | 'https' = 'http'): Promise<LoopbackServer> {
  const requests: LoopbackServer['requests'] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const servername = kind === 'https' ? (req.socket as TLSSocket).servername || undefined : undefined;
    requests.push({ host: req.headers.host, servername });
    req.resume();
    req.on('end', () => res.end('delivered'));
  };
  const server: Server =
    kind === 'https' ? createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, handler) : createHttpServer(handler);
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return { port: (server.address() as AddressInfo).port, connections: () => connections, requests };
}

function guardedAgent(options: GuardedConnectorOptions): Agent {
  // Safety net, not part of what is tested: with the source bound to 127.0.0.1 the kernel refuses any route off
  // the machine (and any IPv6 destination), so even a broken guard fails a test with EINVAL instead of sending
  // packets to the "public" addresses in the injected DNS answers.
  const agent = new Agent({ connect: createGuardedConnector(options), localAddress: '127.0.0.1' });
  cleanups.push(() => agent.close());
  return agent;
}

async function post(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  const response = await request(url, { dispatcher: agent, method: 'POST', body: '{"type":"ping"}' });
  return { status: response.statusCode, body: await response.body.text() };
}

async function refusal(promise: Promise<unknown>): Promise<SsrfBlockedError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(SsrfBlockedError);
  expect(error).toMatchObject({ code: 'HOOKLINE_SSRF_BLOCKED' });
  return error as SsrfBlockedError;
}

/** An injected resolver for made-up names; records every name it was asked about. */
function fakeDns(answers: (hostname: string, call: number) => ResolvedAddress[]) {
  const asked: string[] = [];
  const lookup = async (hostname: string) => {
    asked.push(hostname);
    return answers(hostname, asked.length);
  };
  return { lookup, asked };
}

const loopbackAllowed: NetworkPolicy = { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.0/8'] };

describe('guarded connector against a real loopback server', () => {
  it('refuses 127.0.0.1 by default, and the server sees no connection', async () => {
    const server = await startLoopbackServer();
    const agent = guardedAgent({ policy: DEFAULT_NETWORK_POLICY });
    const error = await refusal(post(agent, `http://127.0.0.1:${server.port}/hook`));
    expect(error).toMatchObject({ address: '127.0.0.1', reason: 'loopback' });
    expect(server.connections()).toBe(0);
  });

  it('delivers with allowPrivateNetworks', async () => {
    const server = await startLoopbackServer();
    const agent = guardedAgent({ policy: { allowPrivateNetworks: true, allowedCidrs: [] } });
    expect(await post(agent, `http://127.0.0.1:${server.port}/hook`)).toEqual({ status: 200, body: 'delivered' });
    expect(server.connections()).toBe(1);
  });

  it("delivers with allowedCidrs ['127.0.0.0/8'] but not with an allowlist that misses loopback", async () => {
    const server = await startLoopbackServer();
    const allowing = guardedAgent({ policy: loopbackAllowed });
    expect(await post(allowing, `http://127.0.0.1:${server.port}/`)).toEqual({ status: 200, body: 'delivered' });
    const other = guardedAgent({ policy: { allowPrivateNetworks: false, allowedCidrs: ['10.0.0.0/8'] } });
    await refusal(post(other, `http://127.0.0.1:${server.port}/`));
    expect(server.connections()).toBe(1);
  });

  it('refuses IPv6 loopback [::1] and IPv4-mapped [::ffff:127.0.0.1]', async () => {
    const agent = guardedAgent({ policy: DEFAULT_NETWORK_POLICY });
    expect(await refusal(post(agent, 'http://[::1]:9/'))).toMatchObject({ address: '::1', reason: 'loopback' });
    expect(await refusal(post(agent, 'http://[::ffff:127.0.0.1]:9/'))).toMatchObject({
      address: '::ffff:7f00:1',
      reason: 'ipv4-mapped loopback',
    });
  });

  it('refuses the name localhost through the system resolver', async () => {
    const server = await startLoopbackServer();
    const agent = guardedAgent({ policy: DEFAULT_NETWORK_POLICY });
    const error = await refusal(post(agent, `http://localhost:${server.port}/`));
    expect(error.reason).toBe('loopback');
    expect(error.hostname).toBe('localhost');
    expect(server.connections()).toBe(0);
  });

  it('refuses a made-up name whose DNS answer is 127.0.0.1 (DNS rebinding)', async () => {
    const server = await startLoopbackServer();
    const dns = fakeDns(() => [{ address: '127.0.0.1', family: 4 }]);
    const agent = guardedAgent({ policy: DEFAULT_NETWORK_POLICY, lookup: dns.lookup });
    const error = await refusal(post(agent, `http://rebind.hookline.test:${server.port}/`));
    expect(error).toMatchObject({ address: '127.0.0.1', reason: 'loopback', hostname: 'rebind.hookline.test' });
    expect(dns.asked).toEqual(['rebind.hookline.test']);
    expect(server.connections()).toBe(0);
  });

  it.each([
    [
      [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
      '127.0.0.1',
    ],
    [
      [
        { address: '2606:4700:4700::1111', family: 6 },
        { address: '169.254.169.254', family: 4 },
      ],
      '169.254.169.254',
    ],
    [
      [
        { address: '10.0.0.1', family: 4 },
        { address: '1.1.1.1', family: 4 },
      ],
      '10.0.0.1',
    ],
  ] satisfies Array<[ResolvedAddress[], string]>)(
    'refuses the whole name when any answer is private: %j',
    async (answer, blocked) => {
      const server = await startLoopbackServer();
      const dns = fakeDns(() => answer);
      const agent = guardedAgent({ policy: DEFAULT_NETWORK_POLICY, lookup: dns.lookup });
      const error = await refusal(post(agent, `http://mixed.hookline.test:${server.port}/`));
      expect(error.address).toBe(blocked);
      expect(server.connections()).toBe(0);
    },
  );

  it('connects to the address it checked: the name is resolved once and never by the system', async () => {
    const server = await startLoopbackServer();
    // Allowed on the first answer; any later lookup (a second, unchecked resolution) would get a refused address.
    const dns = fakeDns((_, call) => [{ address: call === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }]);
    const agent = guardedAgent({
      policy: { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.1/32'] },
      lookup: dns.lookup,
    });
    // pinned.hookline.test does not exist in real DNS, so only the injected answer can have led here.
    expect(await post(agent, `http://pinned.hookline.test:${server.port}/`)).toEqual({
      status: 200,
      body: 'delivered',
    });
    expect(dns.asked).toEqual(['pinned.hookline.test']);
    expect(server.requests).toEqual([{ host: `pinned.hookline.test:${server.port}`, servername: undefined }]);
  });

  it('tries the next checked address when one refuses the connection', async () => {
    const server = await startLoopbackServer();
    // Nothing listens on 127.0.0.2 (Linux routes all of 127/8 to lo): ECONNREFUSED, then 127.0.0.1 answers.
    const dns = fakeDns(() => [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const agent = guardedAgent({ policy: loopbackAllowed, lookup: dns.lookup });
    expect(await post(agent, `http://two.hookline.test:${server.port}/`)).toEqual({ status: 200, body: 'delivered' });
    expect(server.connections()).toBe(1);
  });

  it('refuses a DNS answer that is not a canonical IP literal', async () => {
    const dns = fakeDns(() => [{ address: '0x7f.1', family: 4 }]);
    const agent = guardedAgent({ policy: { allowPrivateNetworks: true, allowedCidrs: [] }, lookup: dns.lookup });
    expect(await refusal(post(agent, 'http://odd.hookline.test:9/'))).toMatchObject({ reason: 'not an ip address' });
  });

  it('reports an empty answer, a lookup timeout and a DNS error as lookup failures, not as refusals', async () => {
    const empty = guardedAgent({ policy: loopbackAllowed, lookup: async () => [] });
    await expect(post(empty, 'http://empty.hookline.test:9/')).rejects.toMatchObject({
      code: 'HOOKLINE_HOST_LOOKUP_FAILED',
      hostname: 'empty.hookline.test',
    });
    const hanging = guardedAgent({
      policy: loopbackAllowed,
      connectTimeoutMs: 50,
      lookup: () => new Promise<ResolvedAddress[]>(() => {}),
    });
    await expect(post(hanging, 'http://hang.hookline.test:9/')).rejects.toMatchObject({
      code: 'HOOKLINE_HOST_LOOKUP_FAILED',
      message: 'could not resolve hang.hookline.test: no answer within 50 ms',
    });
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nx.hookline.test'), { code: 'ENOTFOUND' });
    const failing = guardedAgent({ policy: loopbackAllowed, lookup: () => Promise.reject(notFound) });
    await expect(post(failing, 'http://nx.hookline.test:9/')).rejects.toBe(notFound);
  });

  it('refuses to start with an invalid allowlist', () => {
    expect(() =>
      createGuardedConnector({ policy: { allowPrivateNetworks: false, allowedCidrs: ['10.0.0.1/8'] } }),
    ).toThrow(InvalidCidrError);
  });
});

describe('guarded connector over TLS', () => {
  it('sends SNI for the original name and verifies the certificate against it', async () => {
    const server = await startLoopbackServer('https');
    const dns = fakeDns(() => [{ address: '127.0.0.1', family: 4 }]);
    const agent = guardedAgent({ policy: loopbackAllowed, lookup: dns.lookup, tls: { ca: TEST_CERT } });
    expect(await post(agent, `https://hooks.hookline.test:${server.port}/`)).toEqual({
      status: 200,
      body: 'delivered',
    });
    expect(server.requests).toEqual([
      { host: `hooks.hookline.test:${server.port}`, servername: 'hooks.hookline.test' },
    ]);
  });

  it('fails when the certificate does not name the host, even though the address is the same', async () => {
    const server = await startLoopbackServer('https');
    const dns = fakeDns(() => [{ address: '127.0.0.1', family: 4 }]);
    const agent = guardedAgent({ policy: loopbackAllowed, lookup: dns.lookup, tls: { ca: TEST_CERT } });
    await expect(post(agent, `https://other.hookline.test:${server.port}/`)).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    // The certificate names no IP address, so the bare IP literal is not accepted either.
    await expect(post(agent, `https://127.0.0.1:${server.port}/`)).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(server.requests).toEqual([]);
  });

  it('keeps certificate verification on: an untrusted certificate is refused', async () => {
    const server = await startLoopbackServer('https');
    const dns = fakeDns(() => [{ address: '127.0.0.1', family: 4 }]);
    const agent = guardedAgent({ policy: loopbackAllowed, lookup: dns.lookup });
    await expect(post(agent, `https://hooks.hookline.test:${server.port}/`)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(server.requests).toEqual([]);
  });
});
