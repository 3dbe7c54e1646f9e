import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_POLICY, type NetworkPolicy } from '../ssrf-guard.js';
import { checkDestinationUrl, displayUrl, withStoredCredentials } from './destination-url.js';

const dev: NetworkPolicy = { allowPrivateNetworks: true, allowedCidrs: [] };

describe('checkDestinationUrl', () => {
  it('accepts each broker kind with its required parameter, credentials included', () => {
    for (const url of [
      'amqp://guest:guest@broker.example.com:5672/orders?exchange=hooks&routingKey=order',
      'amqps://user:pw@broker.example.com/?exchange=',
      'nats://token@nats.example.com:4222?subject=hooks.orders',
      'redis://:pw@redis.example.com:6379/2?stream=hooks&maxLen=1000',
    ]) {
      expect(checkDestinationUrl(url, DEFAULT_NETWORK_POLICY), url).toMatchObject({ ok: true });
    }
  });

  it('refuses a broker URL missing what its kind needs, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['amqp://broker.example.com', /exchange/],
      ['nats://nats.example.com', /subject/],
      ['nats://nats.example.com?subject=hooks.*', /wildcards/],
      ['redis://redis.example.com', /stream/],
      ['redis://redis.example.com?stream=s&maxLen=0', /maxLen/],
      ['redis://redis.example.com/99?stream=s', /database/],
    ];
    for (const [url, reason] of cases) {
      const verdict = checkDestinationUrl(url, DEFAULT_NETWORK_POLICY);
      expect(verdict.ok, url).toBe(false);
      if (!verdict.ok) expect(verdict.detail).toMatch(reason);
    }
  });

  it('applies the SSRF rules to broker hosts, with the development allowance', () => {
    for (const url of [
      'amqp://127.0.0.1?exchange=x',
      'nats://localhost:4222?subject=a',
      'redis://10.0.0.5?stream=s',
      'redis://[::1]:6379?stream=s',
    ]) {
      expect(checkDestinationUrl(url, DEFAULT_NETWORK_POLICY), url).toMatchObject({
        ok: false,
        code: 'forbidden_address',
      });
      expect(checkDestinationUrl(url, dev), url).toMatchObject({ ok: true });
    }
  });

  it('asks brokers for TLS where requireHttps asks HTTP for https', () => {
    const policy = { ...DEFAULT_NETWORK_POLICY, requireHttps: true };
    expect(checkDestinationUrl('amqp://b.example.com?exchange=x', policy)).toMatchObject({ code: 'https_required' });
    expect(checkDestinationUrl('amqps://b.example.com?exchange=x', policy)).toMatchObject({ ok: true });
    expect(checkDestinationUrl('nats://b.example.com?subject=s&tls=true', policy)).toMatchObject({ ok: true });
  });

  it('keeps the HTTP rules as they were, and names the schemes it serves', () => {
    expect(checkDestinationUrl('https://user:pw@example.com/hook', DEFAULT_NETWORK_POLICY)).toMatchObject({
      code: 'credentials_in_url',
    });
    const verdict = checkDestinationUrl('ftp://example.com/x', DEFAULT_NETWORK_POLICY);
    expect(verdict).toMatchObject({ ok: false, code: 'unsupported_scheme' });
    if (!verdict.ok) expect(verdict.detail).toMatch(/amqp.*nats.*redis/);
  });
});

describe('displayUrl', () => {
  it('replaces a broker password, or a NATS token, by ***', () => {
    expect(displayUrl('amqp://guest:s3cret@b.example.com/?exchange=x')).toBe(
      'amqp://guest:***@b.example.com/?exchange=x',
    );
    expect(displayUrl('nats://t0ken@n.example.com?subject=s')).toBe('nats://***@n.example.com?subject=s');
    expect(displayUrl('redis://r.example.com?stream=s')).toBe('redis://r.example.com?stream=s');
    expect(displayUrl('https://example.com/hook')).toBe('https://example.com/hook');
  });
});

describe('withStoredCredentials', () => {
  const stored = 'amqp://guest:s3cret@b.example.com/?exchange=x';

  it('gives a URL written back with *** its stored password', () => {
    expect(withStoredCredentials('amqp://guest:***@b.example.com/?exchange=y', stored)).toBe(
      'amqp://guest:s3cret@b.example.com/?exchange=y',
    );
    expect(withStoredCredentials('nats://***@n.example.com?subject=b', 'nats://t0ken@n.example.com?subject=a')).toBe(
      'nats://t0ken@n.example.com?subject=b',
    );
  });

  it('never hands a stored password to another host or user', () => {
    expect(withStoredCredentials('amqp://guest:***@evil.example.com/?exchange=x', stored)).toBe(
      'amqp://guest:***@evil.example.com/?exchange=x',
    );
    expect(withStoredCredentials('amqp://admin:***@b.example.com/?exchange=x', stored)).toBe(
      'amqp://admin:***@b.example.com/?exchange=x',
    );
  });
});
