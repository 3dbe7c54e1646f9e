// One typed configuration, built once at start from defaults < config file < environment < flags, and validated
// there, so nothing deeper reads process.env.
import { readFileSync } from 'node:fs';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, validateSchedule } from './engine/retry-policy.js';
import { InvalidCidrError, parseCidrs } from './engine/ssrf-guard.js';
import { DEFAULT_CIRCUIT_OPTIONS } from './store/gates.js';
import { InvalidEncryptionKeyError, parseEncryptionKey } from './store/secret-box.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** A SQLite file path (the embedded default), or a postgres:// URL (many processes, many machines). */
  database: string;
  /**
   * SQLite durability. FULL (default): a write is answered once on disk, the fsync running off the event loop.
   * FULL-INLINE: SQLite's own synchronous=FULL (fsync inside COMMIT, blocking the process; for comparison).
   * NORMAL: faster, but the last commits before a power loss (not a process crash) may be lost.
   */
  sqliteSynchronous: SqliteSynchronous;
  /** What this process runs: the HTTP API, the delivery engine (with a health route), or both. */
  role: ServerRole;
  /** When set, this is the admin token; otherwise one is generated and printed on first start. */
  adminToken: string | null;
  /** Lets scrapers off this machine read /metrics (loopback needs nothing); from HOOKLINE_METRICS_TOKEN only. */
  metricsToken: string | null;
  allowPrivateNetworks: boolean;
  allowedCidrs: string[];
  /** Endpoint URLs must be https: (422 `https_required` at create and change); for production. Default false. */
  requireHttps: boolean;
  /**
   * Development mode (`npm start`): loopback and private addresses allowed, and a test receiver at
   * /dev/receiver/{app} that verifies signatures. Announced loudly at start; never the default of `hookline serve`.
   */
  dev: boolean;
  /** Publishing an event type nobody created: 'accept' (default, as Svix) or 'reject' with 422. */
  unknownEventTypes: 'accept' | 'reject';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  delivery: {
    timeoutMs: number;
    concurrency: number;
    concurrencyPerEndpoint: number;
    retrySchedule: number[];
    autoDisableAfterMs: number;
    pollIntervalMs: number;
    /** Added to the timeout to make a delivery's lease; after a crash, its deliveries are sent again this much later. */
    leaseMarginMs: number;
    circuitFailureThreshold: number;
    circuitOpenMs: number;
    /** How long a rotated-out secret keeps signing. */
    secretRotationGraceMs: number;
    /** Where operational events (endpoint.disabled) are POSTed, signed with `operationalWebhookSecret`. */
    operationalWebhookUrl: string | null;
    operationalWebhookSecret: string | null;
  };
  /** Bounded wait for sends in flight on SIGTERM/SIGINT. */
  shutdownDrainMs: number;
  /** Encryption at rest of endpoint secrets and custom headers; from the environment only, like the admin token. */
  encryption: EncryptionConfig;
  /** What one client may hold of the HTTP server (slowloris). */
  http: HttpLimits;
  /** How long payloads and history are kept, and how the pruner goes about it (retention/pruner.ts). */
  retention: RetentionConfig;
}

export interface RetentionConfig {
  /**
   * Days a message keeps its payload; after them it still lists (with its deliveries and attempts) but its payload is
   * gone and it cannot be replayed. 0: payloads are kept as long as the history. At most historyDays.
   */
  payloadDays: number;
  /** Days a message, its deliveries and attempts (dead ones too), and the logs are kept. 0: for ever. */
  historyDays: number;
  /** Messages looked at per batch: each batch is one short transaction, so publishes wait for one batch at most. */
  batchSize: number;
  /** Pause between two batches of a pass, so a long prune leaves the database to the write path in between. */
  batchPauseMs: number;
  /** Time between two passes. */
  intervalMs: number;
}

export const DEFAULT_RETENTION: RetentionConfig = {
  payloadDays: 30,
  historyDays: 90,
  // 50 messages (with their deliveries and attempts) per batch: bench/retention measured publish p99 at 2.02x of
  // quiet while pruning with 200 per batch, 0.74x with 50, which still prunes ~1,900 messages/s.
  batchSize: 50,
  batchPauseMs: 20,
  intervalMs: 60_000,
};

export interface HttpLimits {
  /** Time a client has to send the request line and headers; past it the connection is answered 408 and closed. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included. */
  requestTimeoutMs: number;
  /**
   * Open connections one address may hold; more are answered 503 and closed. 0: no cap, for a server behind a
   * proxy or load balancer, where every client has the proxy's address (the proxy should cap them instead).
   */
  maxConnectionsPerAddress: number;
}

export interface EncryptionConfig {
  /** HOOKLINE_ENCRYPTION_KEY: 32 bytes in base64; every secret and header value is written under it. null: clear. */
  key: string | null;
  /** HOOKLINE_ENCRYPTION_OLD_KEYS, comma-separated: read only, until the start-up pass has moved rows off them. */
  oldKeys: string[];
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnectionsPerAddress: 256,
};

export const SQLITE_SYNCHRONOUS_MODES = ['FULL', 'FULL-INLINE', 'NORMAL'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];
export type ServerRole = 'api' | 'worker' | 'all';
const ROLES: readonly ServerRole[] = ['api', 'worker', 'all'];

export type ConfigFlags = Partial<
  Pick<ServerConfig, 'host' | 'port' | 'database' | 'allowPrivateNetworks' | 'unknownEventTypes' | 'dev'>
> & {
  role?: string;
  config?: string;
};

export interface ConfigSources {
  env?: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
  /** Reads a config file; injectable for tests. */
  readFile?: (path: string) => string;
}

export class ConfigError extends Error {
  readonly code = 'HOOKLINE_CONFIG_INVALID';
}

export function defaultConfig(): ServerConfig {
  return {
    // Loopback by default: the service is reachable from outside only when the operator says so (HOST=0.0.0.0).
    host: '127.0.0.1',
    port: 8080,
    database: './data/hookline.db',
    sqliteSynchronous: 'FULL',
    role: 'all',
    adminToken: null,
    metricsToken: null,
    allowPrivateNetworks: false,
    allowedCidrs: [],
    requireHttps: false,
    dev: false,
    unknownEventTypes: 'accept',
    logLevel: 'info',
    delivery: {
      timeoutMs: 15_000,
      concurrency: 256,
      concurrencyPerEndpoint: 16,
      retrySchedule: [...DEFAULT_RETRY_SCHEDULE_SECONDS],
      autoDisableAfterMs: 5 * 86_400_000,
      pollIntervalMs: 1000,
      leaseMarginMs: 15_000,
      circuitFailureThreshold: DEFAULT_CIRCUIT_OPTIONS.failureThreshold,
      circuitOpenMs: DEFAULT_CIRCUIT_OPTIONS.openMs,
      secretRotationGraceMs: 86_400_000,
      operationalWebhookUrl: null,
      operationalWebhookSecret: null,
    },
    shutdownDrainMs: 10_000,
    http: { ...DEFAULT_HTTP_LIMITS },
    encryption: { key: null, oldKeys: [] },
    retention: { ...DEFAULT_RETENTION },
  };
}

function parsePort(value: string | number, source: string): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (typeof value === 'string' && !/^\d+$/.test(value))) {
    throw new ConfigError(`${source} must be a port number 0-65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

function parseRole(value: string, source: string): ServerRole {
  const role = ROLES.find((candidate) => candidate === value);
  if (role === undefined)
    throw new ConfigError(`${source} must be one of ${ROLES.join(', ')}, got ${JSON.stringify(value)}`);
  return role;
}

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${source} must be true or false, got ${JSON.stringify(value)}`);
}

function positiveInteger(value: unknown, source: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new ConfigError(`${source} must be an integer between 1 and ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseUnknownEventTypes(value: unknown, what: string): ServerConfig['unknownEventTypes'] {
  if (value === 'accept' || value === 'reject') return value;
  throw new ConfigError(`${what} must be "accept" or "reject", not ${JSON.stringify(value)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const FILE_KEYS = new Set([
  'host',
  'port',
  'database',
  'sqliteSynchronous',
  'role',
  'allowPrivateNetworks',
  'allowedCidrs',
  'requireHttps',
  'unknownEventTypes',
  'logLevel',
  'delivery',
  'shutdownDrainMs',
  'http',
  'retention',
]);
const DELIVERY_KEYS = new Set(Object.keys(defaultConfig().delivery));

/** A JSON config file: the same names as ServerConfig (adminToken excluded: secrets come from the environment). */
function applyFile(config: ServerConfig, path: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new ConfigError(`${path} must hold a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!FILE_KEYS.has(key)) throw new ConfigError(`${path}: unknown setting "${key}"`);
  }
  if (parsed.host !== undefined) config.host = String(parsed.host);
  if (parsed.port !== undefined) config.port = parsePort(parsed.port as number, `${path}: port`);
  if (parsed.database !== undefined) config.database = String(parsed.database);
  if (parsed.sqliteSynchronous !== undefined) config.sqliteSynchronous = parsed.sqliteSynchronous as SqliteSynchronous;
  if (parsed.role !== undefined) config.role = parseRole(String(parsed.role), `${path}: role`);
  if (parsed.allowPrivateNetworks !== undefined) config.allowPrivateNetworks = parsed.allowPrivateNetworks === true;
  if (parsed.allowedCidrs !== undefined) {
    if (!Array.isArray(parsed.allowedCidrs)) throw new ConfigError(`${path}: allowedCidrs must be a list`);
    config.allowedCidrs = parsed.allowedCidrs.map(String);
  }
  if (parsed.requireHttps !== undefined) {
    if (typeof parsed.requireHttps !== 'boolean') throw new ConfigError(`${path}: requireHttps must be true or false`);
    config.requireHttps = parsed.requireHttps;
  }
  if (parsed.unknownEventTypes !== undefined) {
    config.unknownEventTypes = parseUnknownEventTypes(parsed.unknownEventTypes, `${path}: unknownEventTypes`);
  }
  if (parsed.logLevel !== undefined) config.logLevel = parsed.logLevel as ServerConfig['logLevel'];
  if (parsed.shutdownDrainMs !== undefined)
    config.shutdownDrainMs = positiveInteger(parsed.shutdownDrainMs, `${path}: shutdownDrainMs`);
  if (parsed.delivery !== undefined) {
    if (!isRecord(parsed.delivery)) throw new ConfigError(`${path}: delivery must be an object`);
    for (const key of Object.keys(parsed.delivery)) {
      if (!DELIVERY_KEYS.has(key)) throw new ConfigError(`${path}: unknown setting "delivery.${key}"`);
    }
    Object.assign(config.delivery, parsed.delivery);
  }
  if (parsed.http !== undefined) {
    if (!isRecord(parsed.http)) throw new ConfigError(`${path}: http must be an object`);
    for (const key of Object.keys(parsed.http)) {
      if (!(key in DEFAULT_HTTP_LIMITS)) throw new ConfigError(`${path}: unknown setting "http.${key}"`);
    }
    Object.assign(config.http, parsed.http);
  }
  if (parsed.retention !== undefined) {
    if (!isRecord(parsed.retention)) throw new ConfigError(`${path}: retention must be an object`);
    for (const key of Object.keys(parsed.retention)) {
      if (!(key in DEFAULT_RETENTION)) throw new ConfigError(`${path}: unknown setting "retention.${key}"`);
    }
    Object.assign(config.retention, parsed.retention);
  }
}

function wholeNumber(value: unknown, source: string, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new ConfigError(`${source} must be an integer between 0 and ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Checks a whole configuration (loadConfig does; embedded mode builds its own and checks it here too). */
export function validateConfig(config: ServerConfig): ServerConfig {
  // Each number is kept as the number it was read as: a file's "1000" would otherwise stay a string that is
  // checked and then added to (issue 16 item 5's class).
  const h = config.http;
  h.headersTimeoutMs = positiveInteger(h.headersTimeoutMs, 'http.headersTimeoutMs', 300_000);
  h.requestTimeoutMs = positiveInteger(h.requestTimeoutMs, 'http.requestTimeoutMs', 3_600_000);
  if (h.requestTimeoutMs < h.headersTimeoutMs) {
    throw new ConfigError('http.requestTimeoutMs must be at least http.headersTimeoutMs (the headers are part of it)');
  }
  h.maxConnectionsPerAddress = wholeNumber(h.maxConnectionsPerAddress, 'http.maxConnectionsPerAddress', 1_000_000);
  const r = config.retention;
  // Days become milliseconds added to times kept as BIGINT: bounded well inside what either store holds.
  r.payloadDays = wholeNumber(r.payloadDays, 'retention.payloadDays', 36_500);
  r.historyDays = wholeNumber(r.historyDays, 'retention.historyDays', 36_500);
  if (r.historyDays > 0 && r.payloadDays > r.historyDays) {
    // A message is deleted whole at the history limit: its payload cannot outlive it.
    throw new ConfigError(
      `retention.payloadDays (${r.payloadDays}) must be at most retention.historyDays (${r.historyDays}): a message and its payload go at the history limit`,
    );
  }
  r.batchSize = positiveInteger(r.batchSize, 'retention.batchSize', 10_000);
  r.batchPauseMs = wholeNumber(r.batchPauseMs, 'retention.batchPauseMs', 60_000);
  r.intervalMs = positiveInteger(r.intervalMs, 'retention.intervalMs', 86_400_000);
  const d = config.delivery;
  d.timeoutMs = positiveInteger(d.timeoutMs, 'delivery.timeoutMs', 300_000);
  d.concurrency = positiveInteger(d.concurrency, 'delivery.concurrency', 10_000);
  d.concurrencyPerEndpoint = positiveInteger(d.concurrencyPerEndpoint, 'delivery.concurrencyPerEndpoint', 1000);
  d.pollIntervalMs = positiveInteger(d.pollIntervalMs, 'delivery.pollIntervalMs', 60_000);
  d.leaseMarginMs = positiveInteger(d.leaseMarginMs, 'delivery.leaseMarginMs', 3_600_000);
  d.autoDisableAfterMs = positiveInteger(d.autoDisableAfterMs, 'delivery.autoDisableAfterMs');
  d.circuitFailureThreshold = positiveInteger(d.circuitFailureThreshold, 'delivery.circuitFailureThreshold', 10_000);
  d.circuitOpenMs = positiveInteger(d.circuitOpenMs, 'delivery.circuitOpenMs');
  // Added to now for a rotated-out secret's expiry: Infinity or a string would be stored as such (issue 16 item 5's
  // class), and PostgreSQL's BIGINT refuses it at the rotation.
  d.secretRotationGraceMs = wholeNumber(d.secretRotationGraceMs, 'delivery.secretRotationGraceMs', 30 * 86_400_000);
  if (!Array.isArray(d.retrySchedule)) throw new ConfigError('delivery.retrySchedule must be a list of seconds');
  const problem = validateSchedule(d.retrySchedule);
  if (problem !== null) throw new ConfigError(`delivery.retrySchedule: ${problem}`);
  if (!(SQLITE_SYNCHRONOUS_MODES as readonly string[]).includes(config.sqliteSynchronous)) {
    throw new ConfigError(`sqliteSynchronous must be one of ${SQLITE_SYNCHRONOUS_MODES.join(', ')}`);
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(config.logLevel)) {
    throw new ConfigError(`logLevel must be one of fatal, error, warn, info, debug, silent`);
  }
  try {
    parseCidrs(config.allowedCidrs);
  } catch (error) {
    if (error instanceof InvalidCidrError) throw new ConfigError(error.message);
    throw error;
  }
  // Signed with a secret nobody was told, operational webhooks could not be verified: ask for one.
  if ((d.operationalWebhookUrl === null) !== (d.operationalWebhookSecret === null)) {
    throw new ConfigError(
      'delivery.operationalWebhookUrl and delivery.operationalWebhookSecret go together: set both or neither',
    );
  }
  if (config.adminToken !== null && config.adminToken.length < 16) {
    throw new ConfigError('HOOKLINE_ADMIN_TOKEN must be at least 16 characters');
  }
  if (config.metricsToken !== null && config.metricsToken.length < 16) {
    throw new ConfigError('HOOKLINE_METRICS_TOKEN must be at least 16 characters');
  }
  try {
    if (config.encryption.key !== null) parseEncryptionKey(config.encryption.key, 'HOOKLINE_ENCRYPTION_KEY');
    for (const key of config.encryption.oldKeys) parseEncryptionKey(key, 'each of HOOKLINE_ENCRYPTION_OLD_KEYS');
  } catch (error) {
    if (error instanceof InvalidEncryptionKeyError) throw new ConfigError(error.message);
    throw error;
  }
  // A URL of any other scheme would otherwise be taken for a file path (`mysql://x` makes a folder `mysql:`).
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(config.database) && !/^postgres(ql)?:\/\//.test(config.database)) {
    throw new ConfigError(
      `database must be a SQLite file path or a postgres:// URL, not a ${config.database.split('://')[0]}:// URL`,
    );
  }
  if (config.role !== 'all' && !/^postgres(ql)?:\/\//.test(config.database)) {
    // SQLite is one process's database: an API process and a worker process on one file would not see each other's
    // signals, and two writers contend for one lock. Separate roles are for PostgreSQL.
    throw new ConfigError(`--role ${config.role} needs a PostgreSQL database (--database postgres://…)`);
  }
  return config;
}

export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const config = defaultConfig();
  const file = flags.config ?? env.HOOKLINE_CONFIG;
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = (sources.readFile ?? ((path) => readFileSync(path, 'utf8')))(file);
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
    applyFile(config, file, text);
  }
  if (env.PORT !== undefined && env.PORT !== '') config.port = parsePort(env.PORT, 'PORT');
  if (env.HOST !== undefined && env.HOST !== '') config.host = env.HOST;
  if (env.HOOKLINE_DATABASE !== undefined && env.HOOKLINE_DATABASE !== '') config.database = env.HOOKLINE_DATABASE;
  if (env.HOOKLINE_SQLITE_SYNCHRONOUS !== undefined && env.HOOKLINE_SQLITE_SYNCHRONOUS !== '') {
    config.sqliteSynchronous = env.HOOKLINE_SQLITE_SYNCHRONOUS as SqliteSynchronous;
  }
  if (env.HOOKLINE_ROLE !== undefined && env.HOOKLINE_ROLE !== '')
    config.role = parseRole(env.HOOKLINE_ROLE, 'HOOKLINE_ROLE');
  if (env.HOOKLINE_ADMIN_TOKEN !== undefined && env.HOOKLINE_ADMIN_TOKEN !== '')
    config.adminToken = env.HOOKLINE_ADMIN_TOKEN;
  if (env.HOOKLINE_METRICS_TOKEN !== undefined && env.HOOKLINE_METRICS_TOKEN !== '')
    config.metricsToken = env.HOOKLINE_METRICS_TOKEN;
  if (env.HOOKLINE_ENCRYPTION_KEY !== undefined && env.HOOKLINE_ENCRYPTION_KEY !== '')
    config.encryption.key = env.HOOKLINE_ENCRYPTION_KEY;
  if (env.HOOKLINE_ENCRYPTION_OLD_KEYS !== undefined && env.HOOKLINE_ENCRYPTION_OLD_KEYS !== '') {
    config.encryption.oldKeys = env.HOOKLINE_ENCRYPTION_OLD_KEYS.split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '');
  }
  if (env.HOOKLINE_ALLOW_PRIVATE_NETWORKS !== undefined && env.HOOKLINE_ALLOW_PRIVATE_NETWORKS !== '') {
    config.allowPrivateNetworks = parseBoolean(env.HOOKLINE_ALLOW_PRIVATE_NETWORKS, 'HOOKLINE_ALLOW_PRIVATE_NETWORKS');
  }
  if (env.HOOKLINE_REQUIRE_HTTPS !== undefined && env.HOOKLINE_REQUIRE_HTTPS !== '') {
    config.requireHttps = parseBoolean(env.HOOKLINE_REQUIRE_HTTPS, 'HOOKLINE_REQUIRE_HTTPS');
  }
  if (env.HOOKLINE_UNKNOWN_EVENT_TYPES !== undefined && env.HOOKLINE_UNKNOWN_EVENT_TYPES !== '') {
    config.unknownEventTypes = parseUnknownEventTypes(env.HOOKLINE_UNKNOWN_EVENT_TYPES, 'HOOKLINE_UNKNOWN_EVENT_TYPES');
  }
  if (env.HOOKLINE_HEADERS_TIMEOUT_MS !== undefined && env.HOOKLINE_HEADERS_TIMEOUT_MS !== '') {
    config.http.headersTimeoutMs = positiveInteger(env.HOOKLINE_HEADERS_TIMEOUT_MS, 'HOOKLINE_HEADERS_TIMEOUT_MS');
  }
  if (env.HOOKLINE_REQUEST_TIMEOUT_MS !== undefined && env.HOOKLINE_REQUEST_TIMEOUT_MS !== '') {
    config.http.requestTimeoutMs = positiveInteger(env.HOOKLINE_REQUEST_TIMEOUT_MS, 'HOOKLINE_REQUEST_TIMEOUT_MS');
  }
  if (env.HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS !== undefined && env.HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS !== '') {
    config.http.maxConnectionsPerAddress = wholeNumber(
      env.HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS,
      'HOOKLINE_MAX_CONNECTIONS_PER_ADDRESS',
      1_000_000,
    );
  }
  if (env.HOOKLINE_LOG_LEVEL !== undefined && env.HOOKLINE_LOG_LEVEL !== '') {
    config.logLevel = env.HOOKLINE_LOG_LEVEL as ServerConfig['logLevel'];
  }
  if (env.HOOKLINE_PAYLOAD_RETENTION_DAYS !== undefined && env.HOOKLINE_PAYLOAD_RETENTION_DAYS !== '') {
    config.retention.payloadDays = wholeNumber(
      env.HOOKLINE_PAYLOAD_RETENTION_DAYS,
      'HOOKLINE_PAYLOAD_RETENTION_DAYS',
      36_500,
    );
  }
  if (env.HOOKLINE_HISTORY_RETENTION_DAYS !== undefined && env.HOOKLINE_HISTORY_RETENTION_DAYS !== '') {
    config.retention.historyDays = wholeNumber(
      env.HOOKLINE_HISTORY_RETENTION_DAYS,
      'HOOKLINE_HISTORY_RETENTION_DAYS',
      36_500,
    );
  }
  if (env.HOOKLINE_DEV !== undefined && env.HOOKLINE_DEV !== '')
    config.dev = parseBoolean(env.HOOKLINE_DEV, 'HOOKLINE_DEV');
  if (flags.port !== undefined) config.port = parsePort(flags.port, '--port');
  if (flags.host !== undefined) config.host = flags.host;
  if (flags.database !== undefined) config.database = flags.database;
  if (flags.role !== undefined) config.role = parseRole(flags.role, '--role');
  if (flags.allowPrivateNetworks !== undefined) config.allowPrivateNetworks = flags.allowPrivateNetworks;
  if (flags.unknownEventTypes !== undefined) {
    config.unknownEventTypes = parseUnknownEventTypes(flags.unknownEventTypes, '--unknown-event-types');
  }
  if (flags.dev !== undefined) config.dev = flags.dev;
  // What development mode is for: a receiver on this machine gets the deliveries.
  if (config.dev) config.allowPrivateNetworks = true;
  return validateConfig(config);
}
