export { type AppOptions, BODY_LIMIT_BYTES, createApp } from './api/app.js';
export { type RunningServer, serve } from './cli/serve.js';
export { ConfigError, type ConfigSources, loadConfig, type ServerConfig } from './config.js';
