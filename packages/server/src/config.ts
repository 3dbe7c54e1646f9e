// One typed configuration, built once at start from defaults < environment < flags, and validated there, so
// nothing deeper reads process.env.

export interface ServerConfig {
  host: string;
  port: number;
}

export interface ConfigSources {
  env?: Readonly<Record<string, string | undefined>>;
  flags?: Partial<ServerConfig>;
}

export class ConfigError extends Error {
  readonly code = 'HOOKLINE_CONFIG_INVALID';
}

const DEFAULTS: ServerConfig = {
  // Loopback by default: the service is reachable from outside only when the operator says so (HOST=0.0.0.0).
  host: '127.0.0.1',
  port: 8080,
};

function parsePort(value: string | number, source: string): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (typeof value === 'string' && !/^\d+$/.test(value))) {
    throw new ConfigError(`${source} must be a port number 0-65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const config: ServerConfig = { ...DEFAULTS };
  if (env.PORT !== undefined && env.PORT !== '') config.port = parsePort(env.PORT, 'PORT');
  if (env.HOST !== undefined && env.HOST !== '') config.host = env.HOST;
  if (flags.port !== undefined) config.port = parsePort(flags.port, '--port');
  if (flags.host !== undefined) config.host = flags.host;
  return config;
}
