export { type AppOptions, BODY_LIMIT_BYTES, createApp } from './api/app.js';
export { type RunningServer, serve } from './cli/serve.js';
export { ConfigError, type ConfigSources, defaultConfig, loadConfig, type ServerConfig } from './config.js';
export { DeliveryEngine, type EngineOptions } from './engine/delivery-engine.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { Store } from './store/store.js';
