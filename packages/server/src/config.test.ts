import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

it('defaults to 127.0.0.1:8080, ./data/hookline.db, private networks refused', () => {
  const config = loadConfig();
  expect(config).toMatchObject({
    host: '127.0.0.1',
    port: 8080,
    database: './data/hookline.db',
    allowPrivateNetworks: false,
  });
  expect(config.delivery.retrySchedule).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
});

it('reads the environment, and flags win over it', () => {
  const env = {
    PORT: '9000',
    HOST: '0.0.0.0',
    HOOKLINE_DATABASE: '/tmp/x.db',
    HOOKLINE_ALLOW_PRIVATE_NETWORKS: 'true',
  };
  expect(loadConfig({ env })).toMatchObject({
    host: '0.0.0.0',
    port: 9000,
    database: '/tmp/x.db',
    allowPrivateNetworks: true,
  });
  expect(loadConfig({ env, flags: { port: 9100, database: '/tmp/y.db' } })).toMatchObject({
    port: 9100,
    database: '/tmp/y.db',
  });
});

it('development mode (--dev, HOOKLINE_DEV) allows private networks; without it they stay refused', () => {
  expect(loadConfig({ flags: { dev: true } })).toMatchObject({ dev: true, allowPrivateNetworks: true });
  expect(loadConfig({ env: { HOOKLINE_DEV: '1' } })).toMatchObject({ dev: true, allowPrivateNetworks: true });
  expect(loadConfig({ env: { HOOKLINE_DEV: 'false' } })).toMatchObject({ dev: false, allowPrivateNetworks: false });
});

it('reads a JSON config file below the environment', () => {
  const readFile = () => JSON.stringify({ port: 7000, delivery: { timeoutMs: 2000, retrySchedule: [1, 2] } });
  const config = loadConfig({ flags: { config: 'hookline.json' }, readFile, env: { PORT: '7001' } });
  expect(config.port).toBe(7001);
  expect(config.delivery.timeoutMs).toBe(2000);
  expect(config.delivery.retrySchedule).toEqual([1, 2]);
});

it.each([
  [{ env: { PORT: 'abc' } }, /PORT must be a port number/],
  [{ env: { PORT: '70000' } }, /PORT must be a port number/],
  [{ env: { HOOKLINE_ALLOW_PRIVATE_NETWORKS: 'maybe' } }, /must be true or false/],
  [{ env: { HOOKLINE_ADMIN_TOKEN: 'short' } }, /at least 16 characters/],
  [{ flags: { config: 'c.json' }, readFile: () => '{"nope": 1}' }, /unknown setting "nope"/],
  [{ flags: { config: 'c.json' }, readFile: () => '{"delivery": {"retrySchedule": [-1]}}' }, /retrySchedule/],
  [{ flags: { config: 'c.json' }, readFile: () => '{"allowedCidrs": ["10.0.0.0/99"]}' }, /10\.0\.0\.0\/99/],
  [{ flags: { config: 'c.json' }, readFile: () => 'not json' }, /not valid JSON/],
  [{ flags: { role: 'both' } }, /--role must be one of api, worker, all/],
  [{ env: { HOOKLINE_ROLE: 'worker' } }, /needs a PostgreSQL database/],
  [
    {
      flags: { config: 'c.json' },
      readFile: () => '{"delivery": {"operationalWebhookUrl": "https://ops.example/hook"}}',
    },
    /operationalWebhookSecret go together/,
  ],
  [
    {
      flags: { config: 'missing.json' },
      readFile: () => {
        throw new Error('ENOENT');
      },
    },
    /cannot read config file/,
  ],
])('%j is refused with a clear message', (sources, message) => {
  expect(() => loadConfig(sources)).toThrow(ConfigError);
  expect(() => loadConfig(sources)).toThrow(message);
});

it('makes SQLite durable by default, and takes another durability mode from the environment or refuses it', () => {
  expect(loadConfig().sqliteSynchronous).toBe('FULL');
  expect(loadConfig({ env: { HOOKLINE_SQLITE_SYNCHRONOUS: 'FULL-INLINE' } }).sqliteSynchronous).toBe('FULL-INLINE');
  expect(() => loadConfig({ env: { HOOKLINE_SQLITE_SYNCHRONOUS: 'OFF' } })).toThrow(ConfigError);
});

it('takes a postgres:// database and a role from flags over env, default all', () => {
  expect(loadConfig().role).toBe('all');
  const config = loadConfig({
    env: { HOOKLINE_DATABASE: 'postgres://hookline@db.internal:5432/hookline', HOOKLINE_ROLE: 'api' },
    flags: { role: 'worker' },
  });
  expect(config.database).toBe('postgres://hookline@db.internal:5432/hookline');
  expect(config.role).toBe('worker');
});

it('unknownEventTypes: accept by default; file < env < flag; anything else is refused', () => {
  expect(loadConfig().unknownEventTypes).toBe('accept');
  const readFile = () => JSON.stringify({ unknownEventTypes: 'reject' });
  expect(loadConfig({ flags: { config: 'h.json' }, readFile }).unknownEventTypes).toBe('reject');
  expect(
    loadConfig({ env: { HOOKLINE_UNKNOWN_EVENT_TYPES: 'accept' }, flags: { config: 'h.json' }, readFile })
      .unknownEventTypes,
  ).toBe('accept');
  expect(
    loadConfig({ env: { HOOKLINE_UNKNOWN_EVENT_TYPES: 'accept' }, flags: { unknownEventTypes: 'reject' } })
      .unknownEventTypes,
  ).toBe('reject');
  expect(() => loadConfig({ env: { HOOKLINE_UNKNOWN_EVENT_TYPES: 'maybe' } })).toThrow(ConfigError);
});

it('requireHttps: off by default; from the config file or HOOKLINE_REQUIRE_HTTPS; anything else is refused', () => {
  expect(loadConfig().requireHttps).toBe(false);
  const readFile = () => JSON.stringify({ requireHttps: true });
  expect(loadConfig({ flags: { config: 'h.json' }, readFile }).requireHttps).toBe(true);
  expect(
    loadConfig({ env: { HOOKLINE_REQUIRE_HTTPS: 'false' }, flags: { config: 'h.json' }, readFile }).requireHttps,
  ).toBe(false);
  expect(loadConfig({ env: { HOOKLINE_REQUIRE_HTTPS: '1' } }).requireHttps).toBe(true);
  expect(() => loadConfig({ env: { HOOKLINE_REQUIRE_HTTPS: 'sure' } })).toThrow(ConfigError);
  expect(() => loadConfig({ flags: { config: 'h.json' }, readFile: () => '{"requireHttps":"yes"}' })).toThrow(
    ConfigError,
  );
});

it('bounds what one HTTP client may hold: defaults, the config file, the environment, and refused values', () => {
  expect(loadConfig().http).toEqual({
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    maxConnectionsPerAddress: 256,
  });
  const readFile = () => JSON.stringify({ http: { headersTimeoutMs: 5000, maxConnectionsPerAddress: 0 } });
  expect(loadConfig({ flags: { config: 'h.json' }, readFile }).http).toEqual({
    headersTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    maxConnectionsPerAddress: 0,
  });
  const env = {
    HOOKLINE_HEADERS_TIMEOUT_MS: '2000',
    HOOKLINE_REQUEST_TIMEOUT_MS: '4000',
    HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: '8',
  };
  expect(loadConfig({ env }).http).toEqual({
    headersTimeoutMs: 2000,
    requestTimeoutMs: 4000,
    maxConnectionsPerAddress: 8,
  });
  for (const bad of [
    { HOOKLINE_HEADERS_TIMEOUT_MS: '0' },
    { HOOKLINE_HEADERS_TIMEOUT_MS: 'Infinity' },
    { HOOKLINE_REQUEST_TIMEOUT_MS: '1000' },
    { HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: '-1' },
    { HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS: '1e3' },
  ]) {
    expect(() => loadConfig({ env: bad }), JSON.stringify(bad)).toThrow(ConfigError);
  }
  const unknown = () => JSON.stringify({ http: { keepAlive: 1 } });
  expect(() => loadConfig({ flags: { config: 'h.json' }, readFile: unknown })).toThrow(
    'unknown setting "http.keepAlive"',
  );
});

it('encryption keys come from the environment only, and a key that is not 32 bytes of base64 is refused', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const old = Buffer.alloc(32, 9).toString('base64url');
  expect(loadConfig({}).encryption).toEqual({ key: null, oldKeys: [] });
  expect(
    loadConfig({ env: { HOOKLINE_ENCRYPTION_KEY: key, HOOKLINE_ENCRYPTION_OLD_KEYS: ` ${old}, ,${key}` } }).encryption,
  ).toEqual({ key, oldKeys: [old, key] });
  for (const bad of [
    { HOOKLINE_ENCRYPTION_KEY: 'correct horse battery staple' },
    { HOOKLINE_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') },
    { HOOKLINE_ENCRYPTION_OLD_KEYS: `${old},nope` },
  ]) {
    expect(() => loadConfig({ env: bad }), JSON.stringify(bad)).toThrow(/openssl rand -base64 32/);
  }
  // A file is no place for a key (the same rule as the admin token).
  const file = () => JSON.stringify({ encryption: { key } });
  expect(() => loadConfig({ flags: { config: 'k.json' }, readFile: file })).toThrow('unknown setting "encryption"');
});

it('a secret rotation grace that is not a whole number of milliseconds is refused (issue 16 item 5 class)', () => {
  // As written in the file: JSON.parse reads 1e400 as Infinity.
  for (const grace of ['1e400', '-1', '1.5', '"1 day"', String(31 * 86_400_000)]) {
    const file = () => `{"delivery": {"secretRotationGraceMs": ${grace}}}`;
    expect(() => loadConfig({ flags: { config: 'g.json' }, readFile: file }), String(grace)).toThrow(
      'delivery.secretRotationGraceMs',
    );
  }
  const file = () => JSON.stringify({ delivery: { secretRotationGraceMs: 0 } });
  expect(loadConfig({ flags: { config: 'g.json' }, readFile: file }).delivery.secretRotationGraceMs).toBe(0);
  // A number written as a string is read as the number, not kept as a string that `now +` would concatenate.
  const quoted = () => JSON.stringify({ delivery: { secretRotationGraceMs: '60000', timeoutMs: '1000' } });
  const delivery = loadConfig({ flags: { config: 'q.json' }, readFile: quoted }).delivery;
  expect([delivery.secretRotationGraceMs, delivery.timeoutMs]).toEqual([60_000, 1000]);
});

it('retention: payloads 30 days and history 90 by default; file < env; 0 keeps for ever; a payload cannot outlive its history', () => {
  expect(loadConfig().retention).toEqual({
    payloadDays: 30,
    historyDays: 90,
    batchSize: 50,
    batchPauseMs: 20,
    intervalMs: 60_000,
  });
  const readFile = () => JSON.stringify({ retention: { payloadDays: 7, historyDays: 14, batchSize: 50 } });
  expect(loadConfig({ flags: { config: 'r.json' }, readFile }).retention).toMatchObject({
    payloadDays: 7,
    historyDays: 14,
    batchSize: 50,
  });
  const env = { HOOKLINE_PAYLOAD_RETENTION_DAYS: '0', HOOKLINE_HISTORY_RETENTION_DAYS: '0' };
  expect(loadConfig({ flags: { config: 'r.json' }, readFile, env }).retention).toMatchObject({
    payloadDays: 0,
    historyDays: 0,
  });
  expect(
    loadConfig({ env: { HOOKLINE_HISTORY_RETENTION_DAYS: '0', HOOKLINE_PAYLOAD_RETENTION_DAYS: '400' } }).retention,
  ).toMatchObject({ payloadDays: 400, historyDays: 0 });
  expect(() => loadConfig({ env: { HOOKLINE_PAYLOAD_RETENTION_DAYS: '120' } })).toThrow(
    'retention.payloadDays (120) must be at most retention.historyDays (90)',
  );
  for (const bad of [
    { HOOKLINE_PAYLOAD_RETENTION_DAYS: '-1' },
    { HOOKLINE_HISTORY_RETENTION_DAYS: '1.5' },
    { HOOKLINE_HISTORY_RETENTION_DAYS: 'Infinity' },
  ]) {
    expect(() => loadConfig({ env: bad }), JSON.stringify(bad)).toThrow(ConfigError);
  }
  const unknown = () => JSON.stringify({ retention: { payloadHours: 1 } });
  expect(() => loadConfig({ flags: { config: 'r.json' }, readFile: unknown })).toThrow(
    'unknown setting "retention.payloadHours"',
  );
  const zeroBatch = () => JSON.stringify({ retention: { batchSize: 0 } });
  expect(() => loadConfig({ flags: { config: 'r.json' }, readFile: zeroBatch })).toThrow(ConfigError);
});
